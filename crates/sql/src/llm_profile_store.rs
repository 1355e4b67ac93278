//! Members' named LLM profiles on SQL.

use async_trait::async_trait;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, OnConflict},
};
use tenantry_domain::{DomainError, OrgId, UserId, llm_profile::LlmProfile, ports::LlmProfileStore};

use crate::{
    SqlDatabase,
    entities::llm_profiles as rows,
    errors::{db_error, is_unique_violation},
    transaction::begin_write,
};

/// [`LlmProfileStore`] on SQL.
#[derive(Debug, Clone)]
pub struct SqlLlmProfileStore {
    db: SqlDatabase,
}

impl SqlLlmProfileStore {
    /// The store over an open database.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

fn of(org: OrgId, user: UserId) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(rows::Column::OrgId.eq(org))
        .add(rows::Column::UserId.eq(user))
}

#[async_trait]
impl LlmProfileStore for SqlLlmProfileStore {
    async fn list(&self, org: OrgId, user: UserId) -> Result<Vec<LlmProfile>, DomainError> {
        Ok(rows::Entity::find()
            .filter(of(org, user))
            .order_by_asc(rows::Column::Name)
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(|row| LlmProfile {
                org_id: row.org_id,
                user_id: row.user_id,
                name: row.name,
                model: row.model,
                base_url: row.base_url,
                active: row.active,
                updated_at: row.updated_at,
            })
            .collect())
    }

    async fn save(&self, profile: &LlmProfile) -> Result<(), DomainError> {
        rows::Entity::insert(rows::ActiveModel {
            org_id: Set(profile.org_id),
            user_id: Set(profile.user_id),
            name: Set(profile.name.clone()),
            model: Set(profile.model.clone()),
            base_url: Set(profile.base_url.clone()),
            active: Set(false),
            updated_at: Set(profile.updated_at),
        })
        .on_conflict(
            OnConflict::columns([rows::Column::OrgId, rows::Column::UserId, rows::Column::Name])
                .update_columns([
                    rows::Column::Model,
                    rows::Column::BaseUrl,
                    rows::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&self.db.conn)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn delete(&self, org: OrgId, user: UserId, name: &str) -> Result<bool, DomainError> {
        let deleted = rows::Entity::delete_many()
            .filter(of(org, user))
            .filter(rows::Column::Name.eq(name))
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(deleted.rows_affected > 0)
    }

    async fn rename(&self, org: OrgId, user: UserId, from: &str, to: &str) -> Result<bool, DomainError> {
        let renamed = rows::Entity::update_many()
            .col_expr(rows::Column::Name, Expr::value(to))
            .filter(of(org, user))
            .filter(rows::Column::Name.eq(from))
            .exec(&self.db.conn)
            .await;
        match renamed {
            Ok(renamed) => Ok(renamed.rows_affected > 0),
            Err(error) if is_unique_violation(&error) => {
                Err(tenantry_domain::llm_profile::profile_name_taken(to))
            }
            Err(error) => Err(db_error(error)),
        }
    }

    async fn activate(&self, org: OrgId, user: UserId, name: &str) -> Result<(), DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        rows::Entity::update_many()
            .col_expr(rows::Column::Active, Expr::value(false))
            .filter(of(org, user))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        rows::Entity::update_many()
            .col_expr(rows::Column::Active, Expr::value(true))
            .filter(of(org, user))
            .filter(rows::Column::Name.eq(name))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        txn.commit().await.map_err(db_error)
    }
}

//! API keys, stored as hashes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
use tenantry_domain::{ApiKey, AuditEntry, DomainError, OrgId, UserId, ports::ApiKeyStore};
use uuid::Uuid;

use crate::{
    SqlDatabase,
    entities::api_keys,
    errors::{corrupt, db_error},
    org_store::audit,
    transaction::begin_write,
};

/// [`ApiKeyStore`] on SQL.
#[derive(Debug, Clone)]
pub struct SqlApiKeyStore {
    db: SqlDatabase,
}

impl SqlApiKeyStore {
    /// The store over an open database.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

fn from_row(row: api_keys::Model) -> Result<ApiKey, DomainError> {
    Ok(ApiKey {
        id: row.id,
        org_id: row.org_id,
        user_id: row.user_id,
        name: row.name,
        prefix: row.prefix,
        hash: row.hash,
        scopes: serde_json::from_value(row.scopes).map_err(|_| corrupt("api key scopes"))?,
        created_at: row.created_at,
        last_used_at: row.last_used_at,
        expires_at: row.expires_at,
        revoked_at: row.revoked_at,
    })
}

#[async_trait]
impl ApiKeyStore for SqlApiKeyStore {
    async fn create(&self, key: &ApiKey, audit_entry: &AuditEntry) -> Result<(), DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        api_keys::Entity::insert(api_keys::ActiveModel {
            id: Set(key.id),
            org_id: Set(key.org_id),
            user_id: Set(key.user_id),
            name: Set(key.name.clone()),
            prefix: Set(key.prefix.clone()),
            hash: Set(key.hash.clone()),
            scopes: Set(serde_json::json!(key.scopes)),
            created_at: Set(key.created_at),
            last_used_at: Set(key.last_used_at),
            expires_at: Set(key.expires_at),
            revoked_at: Set(key.revoked_at),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_error)?;
        audit::record(&txn, audit_entry.clone()).await?;
        txn.commit().await.map_err(db_error)
    }

    async fn find_by_prefix(&self, prefix: &str) -> Result<Option<ApiKey>, DomainError> {
        api_keys::Entity::find()
            .filter(api_keys::Column::Prefix.eq(prefix))
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
            .map(from_row)
            .transpose()
    }

    async fn list(&self, org: OrgId, user: Option<UserId>) -> Result<Vec<ApiKey>, DomainError> {
        let mut query = api_keys::Entity::find()
            .filter(api_keys::Column::OrgId.eq(org))
            .filter(api_keys::Column::RevokedAt.is_null());
        if let Some(user) = user {
            query = query.filter(api_keys::Column::UserId.eq(user));
        }
        query
            .order_by_desc(api_keys::Column::Id)
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(from_row)
            .collect()
    }

    async fn get(&self, org: OrgId, id: Uuid) -> Result<Option<ApiKey>, DomainError> {
        api_keys::Entity::find_by_id(id)
            .filter(api_keys::Column::OrgId.eq(org))
            .filter(api_keys::Column::RevokedAt.is_null())
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
            .map(from_row)
            .transpose()
    }

    async fn revoke(&self, org: OrgId, id: Uuid, audit_entry: &AuditEntry) -> Result<bool, DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        let revoked = api_keys::Entity::update_many()
            .col_expr(api_keys::Column::RevokedAt, Expr::value(audit_entry.at))
            .filter(api_keys::Column::Id.eq(id))
            .filter(api_keys::Column::OrgId.eq(org))
            .filter(api_keys::Column::RevokedAt.is_null())
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if revoked.rows_affected != 1 {
            return Ok(false);
        }
        audit::record(&txn, audit_entry.clone()).await?;
        txn.commit().await.map_err(db_error)?;
        Ok(true)
    }

    async fn touch(&self, id: Uuid, now: DateTime<Utc>) -> Result<(), DomainError> {
        api_keys::Entity::update_many()
            .col_expr(api_keys::Column::LastUsedAt, Expr::value(now))
            .filter(api_keys::Column::Id.eq(id))
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(())
    }
}

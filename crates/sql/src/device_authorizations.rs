//! Device authorizations on SQL: decisions, polls and the spending of a grant are conditional
//! updates, so concurrent ones are decided by the database row.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use tenantry_domain::{
    DomainError,
    device_authorization::{DeviceAuthorization, DeviceDecision},
    ports::DeviceAuthorizations,
};
use uuid::Uuid;

use crate::{
    SqlDatabase, entities::device_authorizations as rows, errors::db_error, transaction::begin_write,
};

/// [`DeviceAuthorizations`] on SQL.
#[derive(Debug, Clone)]
pub struct SqlDeviceAuthorizations {
    db: SqlDatabase,
}

impl SqlDeviceAuthorizations {
    /// The store over an open database.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

fn from_row(row: rows::Model) -> DeviceAuthorization {
    let decision = match (row.decided_by, row.decided_org, row.approved, row.decided_at) {
        (Some(user), Some(org), Some(approved), Some(at)) => Some(DeviceDecision {
            user,
            org,
            approved,
            at,
        }),
        _ => None,
    };
    DeviceAuthorization {
        id: row.id,
        device_code_digest: row.device_code_digest,
        user_code: row.user_code,
        created_at: row.created_at,
        expires_at: row.expires_at,
        decision,
        issued_at: row.issued_at,
    }
}

#[async_trait]
impl DeviceAuthorizations for SqlDeviceAuthorizations {
    async fn create(&self, authorization: &DeviceAuthorization) -> Result<(), DomainError> {
        rows::Entity::insert(rows::ActiveModel {
            id: Set(authorization.id),
            device_code_digest: Set(authorization.device_code_digest.clone()),
            user_code: Set(authorization.user_code.clone()),
            created_at: Set(authorization.created_at),
            expires_at: Set(authorization.expires_at),
            decided_by: Set(None),
            decided_org: Set(None),
            approved: Set(None),
            decided_at: Set(None),
            last_polled_at: Set(None),
            issued_at: Set(None),
        })
        .exec_without_returning(&self.db.conn)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn by_device_code(&self, digest: &str) -> Result<Option<DeviceAuthorization>, DomainError> {
        Ok(rows::Entity::find()
            .filter(rows::Column::DeviceCodeDigest.eq(digest))
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
            .map(from_row))
    }

    async fn by_user_code(
        &self,
        user_code: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DeviceAuthorization>, DomainError> {
        Ok(rows::Entity::find()
            .filter(rows::Column::UserCode.eq(user_code))
            .filter(rows::Column::DecidedAt.is_null())
            .filter(rows::Column::ExpiresAt.gt(now))
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
            .map(from_row))
    }

    async fn decide(&self, id: Uuid, decision: &DeviceDecision) -> Result<bool, DomainError> {
        let updated = rows::Entity::update_many()
            .col_expr(rows::Column::DecidedBy, Expr::value(decision.user))
            .col_expr(rows::Column::DecidedOrg, Expr::value(decision.org))
            .col_expr(rows::Column::Approved, Expr::value(decision.approved))
            .col_expr(rows::Column::DecidedAt, Expr::value(decision.at))
            .filter(rows::Column::Id.eq(id))
            .filter(rows::Column::DecidedAt.is_null())
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(updated.rows_affected == 1)
    }

    async fn polled(&self, id: Uuid, at: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        use sea_orm::QuerySelect;
        let previous = rows::Entity::find_by_id(id)
            .lock_exclusive()
            .one(&txn)
            .await
            .map_err(db_error)?
            .and_then(|row| row.last_polled_at);
        rows::Entity::update_many()
            .col_expr(rows::Column::LastPolledAt, Expr::value(at))
            .filter(rows::Column::Id.eq(id))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        txn.commit().await.map_err(db_error)?;
        Ok(previous)
    }

    async fn settle(&self, id: Uuid, at: DateTime<Utc>) -> Result<bool, DomainError> {
        let updated = rows::Entity::update_many()
            .col_expr(rows::Column::IssuedAt, Expr::value(at))
            .filter(rows::Column::Id.eq(id))
            .filter(rows::Column::IssuedAt.is_null())
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(updated.rows_affected == 1)
    }
}

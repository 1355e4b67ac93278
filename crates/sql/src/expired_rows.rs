//! [`ExpiredRows`] over the database: one delete per table.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
use tenantry_domain::{DomainError, ports::ExpiredRows};

use crate::{
    SqlDatabase,
    entities::{one_time_tokens, stream_tickets},
    errors::db_error,
};

/// Deletes spent and expired single-use rows.
#[derive(Clone)]
pub struct SqlExpiredRows {
    db: SqlDatabase,
}

impl SqlExpiredRows {
    /// Over `db`.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

#[async_trait]
impl ExpiredRows for SqlExpiredRows {
    async fn delete_spent_or_expired(&self, cutoff: DateTime<Utc>) -> Result<u64, DomainError> {
        let tokens = one_time_tokens::Entity::delete_many()
            .filter(
                Condition::any()
                    .add(one_time_tokens::Column::ExpiresAt.lt(cutoff))
                    .add(one_time_tokens::Column::UsedAt.lt(cutoff)),
            )
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        let tickets = stream_tickets::Entity::delete_many()
            .filter(
                Condition::any()
                    .add(stream_tickets::Column::ExpiresAt.lt(cutoff))
                    .add(stream_tickets::Column::UsedAt.lt(cutoff)),
            )
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(tokens.rows_affected + tickets.rows_affected)
    }
}

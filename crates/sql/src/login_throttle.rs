//! Failed-login counters in the database, so every server instance sees the same ones.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::OnConflict,
};
use tenantry_domain::{
    DomainError,
    ports::LoginThrottleStore,
    throttle::{ThrottleLimit, ThrottleState},
};

use crate::{SqlDatabase, entities::login_throttles, errors::db_error, transaction::begin_write};

/// [`LoginThrottleStore`] on SQL.
#[derive(Debug, Clone)]
pub struct SqlLoginThrottle {
    db: SqlDatabase,
}

impl SqlLoginThrottle {
    /// The store over an open database.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

#[async_trait]
impl LoginThrottleStore for SqlLoginThrottle {
    async fn locked_until(
        &self,
        keys: &[String],
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, DomainError> {
        let latest = login_throttles::Entity::find()
            .filter(login_throttles::Column::Key.is_in(keys.iter().cloned()))
            .filter(login_throttles::Column::LockedUntil.gt(now))
            .order_by_desc(login_throttles::Column::LockedUntil)
            .one(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(latest.and_then(|row| row.locked_until))
    }

    async fn record_failure(
        &self,
        key: &str,
        limit: ThrottleLimit,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        // Make sure the row exists, then lock it: concurrent failures are counted one after another.
        login_throttles::Entity::insert(login_throttles::ActiveModel {
            key: Set(key.to_owned()),
            failures: Set(0),
            window_started_at: Set(now),
            locked_until: Set(None),
        })
        .on_conflict(
            OnConflict::column(login_throttles::Column::Key)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(db_error)?;
        let row = login_throttles::Entity::find_by_id(key.to_owned())
            .lock_exclusive()
            .one(&txn)
            .await
            .map_err(db_error)?
            .ok_or_else(|| DomainError::Internal("throttle row vanished".into()))?;
        let previous = (row.failures > 0 || row.locked_until.is_some()).then_some(ThrottleState {
            failures: u32::try_from(row.failures).unwrap_or(0),
            window_started_at: row.window_started_at,
            locked_until: row.locked_until,
        });
        let next = limit.after_failure(previous, now);
        login_throttles::Entity::update(login_throttles::ActiveModel {
            key: Set(key.to_owned()),
            failures: Set(i32::try_from(next.failures).unwrap_or(i32::MAX)),
            window_started_at: Set(next.window_started_at),
            locked_until: Set(next.locked_until),
        })
        .exec(&txn)
        .await
        .map_err(db_error)?;
        txn.commit().await.map_err(db_error)
    }

    async fn clear(&self, key: &str) -> Result<(), DomainError> {
        login_throttles::Entity::delete_by_id(key.to_owned())
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(())
    }
}

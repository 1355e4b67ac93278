//! Attempt counters in the database, so every server instance sees the same ones. The rules are the
//! domain's ([`ThrottleLimit`]); this adapter locks the rows and stores what the rules decide.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Condition, OnConflict},
};
use tenantry_domain::{
    DomainError,
    ports::{AttemptStart, LoginThrottleStore},
    throttle::{AttemptOutcome, AttemptRefusal, ThrottleLimit, ThrottleState},
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

/// Makes sure the row of `key` exists, then locks it and returns its state (`None` for a fresh row).
async fn lock_row(
    conn: &impl ConnectionTrait,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Option<ThrottleState>, DomainError> {
    login_throttles::Entity::insert(login_throttles::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(0),
        window_started_at: Set(now),
        locked_until: Set(None),
        pending: Set(0),
        pending_since: Set(None),
    })
    .on_conflict(
        OnConflict::column(login_throttles::Column::Key)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await
    .map_err(db_error)?;
    let row = login_throttles::Entity::find_by_id(key.to_owned())
        .lock_exclusive()
        .one(conn)
        .await
        .map_err(db_error)?
        .ok_or_else(|| DomainError::Internal("throttle row vanished".into()))?;
    let failures = u32::try_from(row.failures)
        .map_err(|_| DomainError::Internal(format!("throttle row {key:?} has a negative count")))?;
    let pending = u32::try_from(row.pending)
        .map_err(|_| DomainError::Internal(format!("throttle row {key:?} has a negative count")))?;
    Ok(
        (failures > 0 || pending > 0 || row.locked_until.is_some()).then_some(ThrottleState {
            failures,
            window_started_at: row.window_started_at,
            locked_until: row.locked_until,
            pending,
            pending_since: row.pending_since,
        }),
    )
}

async fn store_row(conn: &impl ConnectionTrait, key: &str, state: ThrottleState) -> Result<(), DomainError> {
    login_throttles::Entity::update(login_throttles::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(i32::try_from(state.failures).unwrap_or(i32::MAX)),
        window_started_at: Set(state.window_started_at),
        locked_until: Set(state.locked_until),
        pending: Set(i32::try_from(state.pending).unwrap_or(i32::MAX)),
        pending_since: Set(state.pending_since),
    })
    .exec(conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

#[async_trait]
impl LoginThrottleStore for SqlLoginThrottle {
    async fn reserve(
        &self,
        keys: &[(String, ThrottleLimit)],
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, DomainError> {
        // One order for every transaction, so two attempts locking the same keys cannot deadlock.
        let mut ordered: Vec<&(String, ThrottleLimit)> = keys.iter().collect();
        ordered.sort_by(|a, b| a.0.cmp(&b.0));
        let (txn, _turn) = begin_write(&self.db).await?;
        let mut next = Vec::with_capacity(ordered.len());
        let mut locked: Option<DateTime<Utc>> = None;
        for (key, limit) in ordered {
            match limit.reserve(lock_row(&txn, key, now).await?, now) {
                Ok(state) => next.push((key, state)),
                Err(until) => locked = locked.max(Some(until)),
            }
        }
        if locked.is_some() {
            // Nothing is reserved when any key refuses.
            txn.rollback().await.map_err(db_error)?;
            return Ok(locked);
        }
        for (key, state) in next {
            store_row(&txn, key, state).await?;
        }
        txn.commit().await.map_err(db_error)?;
        Ok(None)
    }

    async fn begin_attempt(
        &self,
        keys: &[(String, ThrottleLimit)],
        now: DateTime<Utc>,
        wait: std::time::Duration,
    ) -> Result<AttemptStart, DomainError> {
        // One order for every transaction, so two attempts locking the same keys cannot deadlock.
        let mut ordered: Vec<&(String, ThrottleLimit)> = keys.iter().collect();
        ordered.sort_by(|a, b| a.0.cmp(&b.0));
        let started = std::time::Instant::now();
        let mut pause = std::time::Duration::from_millis(10);
        loop {
            let at = now + chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
            let (txn, _turn) = begin_write(&self.db).await?;
            let mut next = Vec::with_capacity(ordered.len());
            let mut locked: Option<DateTime<Utc>> = None;
            let mut busy = false;
            for (key, limit) in &ordered {
                match limit.begin(lock_row(&txn, key, at).await?, at) {
                    Ok(state) => next.push((key, state)),
                    Err(AttemptRefusal::Locked(until)) => locked = locked.max(Some(until)),
                    Err(AttemptRefusal::Busy) => busy = true,
                }
            }
            if locked.is_none() && !busy {
                for (key, state) in next {
                    store_row(&txn, key, state).await?;
                }
                txn.commit().await.map_err(db_error)?;
                return Ok(AttemptStart::Begun);
            }
            // Nothing is begun when any key refuses.
            txn.rollback().await.map_err(db_error)?;
            if let Some(until) = locked {
                return Ok(AttemptStart::Locked(until));
            }
            if started.elapsed() + pause > wait {
                return Ok(AttemptStart::Busy);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(std::time::Duration::from_millis(200));
        }
    }

    async fn settle_attempt(
        &self,
        settled: &[(&str, ThrottleLimit, AttemptOutcome)],
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        // The same order as `begin_attempt`, so the two cannot deadlock.
        let mut ordered: Vec<&(&str, ThrottleLimit, AttemptOutcome)> = settled.iter().collect();
        ordered.sort_by(|a, b| a.0.cmp(b.0));
        let (txn, _turn) = begin_write(&self.db).await?;
        for (key, limit, outcome) in ordered {
            let state = lock_row(&txn, key, now).await?;
            store_row(&txn, key, limit.settle(state, *outcome, now)).await?;
        }
        txn.commit().await.map_err(db_error)
    }

    async fn sweep(
        &self,
        stale_before: &[(&'static str, DateTime<Utc>)],
        now: DateTime<Utc>,
    ) -> Result<u64, DomainError> {
        let mut stale = Condition::any();
        for (prefix, before) in stale_before {
            stale = stale.add(
                Condition::all()
                    .add(login_throttles::Column::Key.starts_with(*prefix))
                    .add(login_throttles::Column::WindowStartedAt.lte(*before)),
            );
        }
        let deleted = login_throttles::Entity::delete_many()
            .filter(stale)
            .filter(
                Condition::any()
                    .add(login_throttles::Column::LockedUntil.is_null())
                    .add(login_throttles::Column::LockedUntil.lte(now)),
            )
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(deleted.rows_affected)
    }
}

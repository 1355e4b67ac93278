//! [`RequestCounters`] shared through the database: each instance counts in memory and, every sync
//! interval, adds what it counted to `request_counts` (one upsert per counter, in one transaction)
//! and reads back every instance's counts of the current window. A request is decided on the last
//! counts read plus what this instance counted since, so instances see each other's requests within
//! one interval (together they may exceed a limit by what they count within one interval); per-org
//! limits from `org_rate_limits` are read at the same time.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, Weak},
    time::Duration,
};

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement,
    sea_query::OnConflict,
};
use tenantry_domain::{
    DomainError, OrgId,
    clock::Clock,
    ports::RequestCounters,
    rate_limit::{WINDOW_SECS, window_of},
};

use crate::{
    SqlDatabase,
    entities::{org_rate_limits, request_counts},
    errors::db_error,
    transaction::begin_write,
};

type Counter = (String, i64);

#[derive(Default)]
struct Counts {
    /// Counted here since the last sync.
    pending: HashMap<Counter, u64>,
    /// Counted here and being written by the sync under way (still counted until it has read the
    /// totals back).
    flushing: HashMap<Counter, u64>,
    /// Every instance's totals of the current windows as of the last sync.
    shared: HashMap<Counter, u64>,
    /// Operators' per-org limits.
    org_limits: HashMap<OrgId, u32>,
}

struct Inner {
    db: SqlDatabase,
    clock: Arc<dyn Clock>,
    counts: Mutex<Counts>,
}

/// Request counters in memory, shared through the database every sync interval.
#[derive(Clone)]
pub struct SqlRequestCounters {
    inner: Arc<Inner>,
}

impl SqlRequestCounters {
    /// Counters over `db`, shared every `interval` by a background task that ends with them;
    /// windows are told by `clock`.
    pub fn start(db: &SqlDatabase, interval: Duration, clock: Arc<dyn Clock>) -> Self {
        let inner = Arc::new(Inner {
            db: db.clone(),
            clock,
            counts: Mutex::default(),
        });
        let weak: Weak<Inner> = Arc::downgrade(&inner);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(interval);
            loop {
                ticks.tick().await;
                let Some(inner) = weak.upgrade() else {
                    return;
                };
                if let Err(error) = inner.sync().await {
                    tracing::warn!(%error, "sharing request counters failed; will retry");
                }
            }
        });
        Self { inner }
    }

    /// Shares what was counted here now (as the background task does every interval).
    pub async fn sync(&self) -> Result<(), DomainError> {
        self.inner.sync().await
    }

    /// Sets (or, with `None`, removes) an org's own requests-per-minute limit.
    pub async fn set_org_limit(db: &SqlDatabase, org: OrgId, limit: Option<u32>) -> Result<(), DomainError> {
        match limit {
            Some(limit) => {
                org_rate_limits::Entity::insert(org_rate_limits::ActiveModel {
                    org_id: Set(org),
                    requests_per_minute: Set(i32::try_from(limit).unwrap_or(i32::MAX)),
                })
                .on_conflict(
                    OnConflict::column(org_rate_limits::Column::OrgId)
                        .update_column(org_rate_limits::Column::RequestsPerMinute)
                        .to_owned(),
                )
                .exec_without_returning(&db.conn)
                .await
                .map_err(db_error)?;
            }
            None => {
                org_rate_limits::Entity::delete_by_id(org)
                    .exec(&db.conn)
                    .await
                    .map_err(db_error)?;
            }
        }
        Ok(())
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn sync(&self) -> Result<(), DomainError> {
        let flushing = {
            let mut counts = self.lock();
            let pending = std::mem::take(&mut counts.pending);
            for (counter, delta) in &pending {
                *counts.flushing.entry(counter.clone()).or_insert(0) += delta;
            }
            pending
        };
        if !flushing.is_empty() {
            let (txn, _turn) = begin_write(&self.db).await?;
            for ((key, window), delta) in &flushing {
                add(&txn, key, *window, *delta).await?;
            }
            txn.commit().await.map_err(db_error)?;
        }
        // Every instance's counts of the current and the previous window.
        let (current, _) = window_of(self.clock.now());
        let shared: HashMap<Counter, u64> = request_counts::Entity::find()
            .filter(request_counts::Column::WindowStart.gte(current - WINDOW_SECS))
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(|row| {
                (
                    (row.counter_key, row.window_start),
                    u64::try_from(row.count).unwrap_or(0),
                )
            })
            .collect();
        let org_limits: HashMap<OrgId, u32> = org_rate_limits::Entity::find()
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(|row| (row.org_id, u32::try_from(row.requests_per_minute).unwrap_or(0)))
            .collect();
        {
            let mut counts = self.lock();
            counts.shared = shared;
            counts.flushing.clear();
            counts.org_limits = org_limits;
        }
        request_counts::Entity::delete_many()
            .filter(request_counts::Column::WindowStart.lt(current - 2 * WINDOW_SECS))
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(())
    }
}

/// Adds `delta` to one shared counter.
async fn add(conn: &impl ConnectionTrait, key: &str, window: i64, delta: u64) -> Result<(), DomainError> {
    const ADD: &str = "INSERT INTO request_counts (counter_key, window_start, count) VALUES ($1, $2, $3) \
         ON CONFLICT (counter_key, window_start) DO UPDATE SET count = request_counts.count + excluded.count";
    conn.execute_raw(Statement::from_sql_and_values(
        conn.get_database_backend(),
        ADD,
        [
            key.into(),
            window.into(),
            i64::try_from(delta).unwrap_or(i64::MAX).into(),
        ],
    ))
    .await
    .map_err(db_error)?;
    Ok(())
}

impl RequestCounters for SqlRequestCounters {
    fn count(&self, keys: &[String], window: i64) -> Vec<u64> {
        let mut counts = self.inner.lock();
        keys.iter()
            .map(|key| {
                let counter = (key.clone(), window);
                let known = counts.shared.get(&counter).copied().unwrap_or(0)
                    + counts.flushing.get(&counter).copied().unwrap_or(0);
                let pending = counts.pending.entry(counter).or_insert(0);
                *pending += 1;
                known + *pending
            })
            .collect()
    }

    fn org_limit(&self, org: OrgId) -> Option<u32> {
        self.inner.lock().org_limits.get(&org).copied()
    }
}

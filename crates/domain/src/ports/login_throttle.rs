use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{DomainError, throttle::ThrottleLimit};

/// Attempt counters shared by every server instance (kept in the database). The rules are
/// [`ThrottleLimit::reserve`] and [`ThrottleLimit::refund`]; a store applies them to its rows
/// atomically.
#[async_trait]
pub trait LoginThrottleStore: Send + Sync {
    /// Reserves one attempt under every key at once, before the attempt is evaluated. When any key
    /// is locked nothing is reserved and the latest lockout end is returned. Atomic under concurrent
    /// attempts, also across server instances.
    async fn reserve(
        &self,
        keys: &[(String, ThrottleLimit)],
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, DomainError>;

    /// Takes back one attempt reserved under `key` (it succeeded).
    async fn refund(&self, key: &str, limit: ThrottleLimit, now: DateTime<Utc>) -> Result<(), DomainError>;

    /// Forgets every attempt of `key` (after a successful login to that account).
    async fn clear(&self, key: &str) -> Result<(), DomainError>;

    /// Deletes the counters under each key prefix whose window began before its instant and that
    /// hold no lock at `now`; returns how many. Keeps the table from growing with every address ever
    /// seen.
    async fn sweep(
        &self,
        stale_before: &[(&'static str, DateTime<Utc>)],
        now: DateTime<Utc>,
    ) -> Result<u64, DomainError>;
}

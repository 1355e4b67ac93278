use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    DomainError,
    identity::throttle::{AttemptOutcome, ThrottleLimit},
};

/// How [`LoginThrottleStore::begin_attempt`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptStart {
    /// Begun under every key: settle it under each.
    Begun,
    /// A key is locked out until then; nothing was begun.
    Locked(DateTime<Utc>),
    /// Attempts in flight still filled a key's budget when the wait ran out; nothing was begun.
    Busy,
}

/// Attempt counters shared by every server instance (kept in the database). The rules are
/// [`ThrottleLimit::reserve`], [`ThrottleLimit::begin`] and [`ThrottleLimit::settle`]; a store
/// applies them to its rows atomically.
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

    /// Begins one attempt under every key at once ([`ThrottleLimit::begin`]), before it is
    /// evaluated; atomic under concurrent attempts, also across server instances. While a key's
    /// budget is filled by attempts in flight, waits up to `wait` for them to settle.
    async fn begin_attempt(
        &self,
        keys: &[(String, ThrottleLimit)],
        now: DateTime<Utc>,
        wait: std::time::Duration,
    ) -> Result<AttemptStart, DomainError>;

    /// Settles an attempt begun under each key with its outcome ([`ThrottleLimit::settle`]), all
    /// keys at once.
    async fn settle_attempt(
        &self,
        settled: &[(&str, ThrottleLimit, AttemptOutcome)],
        now: DateTime<Utc>,
    ) -> Result<(), DomainError>;

    /// Deletes the counters under each key prefix whose window began before its instant and that
    /// hold no lock at `now`; returns how many. Keeps the table from growing with every address ever
    /// seen.
    async fn sweep(
        &self,
        stale_before: &[(&'static str, DateTime<Utc>)],
        now: DateTime<Utc>,
    ) -> Result<u64, DomainError>;
}

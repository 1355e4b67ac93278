use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{DomainError, throttle::ThrottleLimit};

/// Failed-login counters shared by every server instance (kept in the database).
#[async_trait]
pub trait LoginThrottleStore: Send + Sync {
    /// The latest lockout end among `keys` that is still in the future.
    async fn locked_until(
        &self,
        keys: &[String],
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, DomainError>;

    /// Counts one failure for `key` within `limit.window`, locking the key for `limit.lockout` once the
    /// count reaches `limit.max_failures`. Atomic under concurrent failures.
    async fn record_failure(
        &self,
        key: &str,
        limit: ThrottleLimit,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError>;

    /// Forgets the failures of `key` (after a successful login).
    async fn clear(&self, key: &str) -> Result<(), DomainError>;
}

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::DomainError;

/// Single-use rows deleted once nothing needs them (see [`crate::expired_rows`]).
#[async_trait]
pub trait ExpiredRows: Send + Sync {
    /// Deletes one-time tokens and stream tickets spent or expired before `cutoff`; how many.
    async fn delete_spent_or_expired(&self, cutoff: DateTime<Utc>) -> Result<u64, DomainError>;
}

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::DomainError;

/// Leases on stream slots, shared by every instance (see [`crate::conversations::stream_cap`]).
#[async_trait]
pub trait StreamLeases: Send + Sync {
    /// Takes lease `lease` for `instance` on every `(holder, max)` until `until`, or none: `false`
    /// when a holder already has `max` leases live at `now` ([`crate::conversations::stream_cap::admits`]).
    /// Atomic against concurrent takes on the same holders, on any instance.
    async fn take(
        &self,
        lease: Uuid,
        instance: Uuid,
        holders: &[(String, usize)],
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, DomainError>;

    /// Extends every lease of `instance` to `until`, and drops every lease lapsed at `now`.
    async fn renew(
        &self,
        instance: Uuid,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<(), DomainError>;

    /// Gives a lease back (its stream ended).
    async fn release(&self, lease: Uuid) -> Result<(), DomainError>;
}

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    AuditEntry, DomainError, OrgId,
    spend::billing::{BillingSession, Checkout, LedgerEntry},
};

/// Billing sessions, the append-only credit ledger and the payment events already acted on.
#[async_trait]
pub trait BillingStore: Send + Sync {
    /// Records a new session (in progress) with its audit entry, atomically.
    async fn create_session(&self, session: &BillingSession, audit: &AuditEntry) -> Result<(), DomainError>;

    /// Notes the provider's checkout on a session.
    async fn attach_checkout(&self, id: Uuid, checkout: &Checkout) -> Result<(), DomainError>;

    /// The session whose checkout at the provider has this id.
    async fn session_by_checkout(
        &self,
        provider_session_id: &str,
    ) -> Result<Option<BillingSession>, DomainError>;

    /// Acts on payment event `event_id` for `session`, once, atomically: the event is remembered;
    /// if the session is still in progress it becomes completed at `at`, its amount is appended to
    /// its org's ledger and `audit` is recorded. `false` when the event was seen before or the
    /// session was completed already: nothing changed.
    async fn complete_payment(
        &self,
        event_id: &str,
        session: &BillingSession,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<bool, DomainError>;

    /// The org's sessions, newest first (at most `limit`).
    async fn sessions(&self, org: OrgId, limit: u64) -> Result<Vec<BillingSession>, DomainError>;

    /// The org's balance: the sum of every ledger line.
    async fn balance(&self, org: OrgId) -> Result<i64, DomainError>;

    /// The org's ledger, newest first (at most `limit`).
    async fn ledger(&self, org: OrgId, limit: u64) -> Result<Vec<LedgerEntry>, DomainError>;
}

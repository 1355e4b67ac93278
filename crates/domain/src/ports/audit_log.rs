use async_trait::async_trait;
use uuid::Uuid;

use crate::{AuditEntry, DomainError, OrgId};

/// The audit log: entries not part of another change's transaction, and reading an org's entries.
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends an entry.
    async fn record(&self, entry: AuditEntry) -> Result<(), DomainError>;

    /// Audit entries of the org, newest first, strictly older than `before` when given.
    async fn entries(
        &self,
        org: OrgId,
        before: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<AuditEntry>, DomainError>;
}

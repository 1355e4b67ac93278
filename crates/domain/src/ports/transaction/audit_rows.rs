use async_trait::async_trait;

use crate::{AuditEntry, DomainError};

/// The audit log, inside a transaction: an entry commits with the change it records.
#[async_trait]
pub trait AuditRows: Send + Sync {
    /// Appends an entry.
    async fn record(&self, entry: &AuditEntry) -> Result<(), DomainError>;
}

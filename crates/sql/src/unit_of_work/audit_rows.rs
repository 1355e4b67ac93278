use async_trait::async_trait;
use tenantry_domain::{AuditEntry, DomainError, ports::AuditRows};

use super::SqlTransaction;
use crate::org_store::audit;

#[async_trait]
impl AuditRows for SqlTransaction {
    async fn record(&self, entry: &AuditEntry) -> Result<(), DomainError> {
        audit::record(&self.txn, entry.clone()).await
    }
}

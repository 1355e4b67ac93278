//! Registered sandboxes, in memory; their session keys are sealed among the secrets.

use async_trait::async_trait;
use tenantry_domain::{
    AuditEntry, DomainError, OrgId, UserId,
    ports::SandboxStore,
    sandbox::Sandbox,
    secrets::{Sealed, SecretAddress},
};
use uuid::Uuid;

use crate::{MemoryStore, secrets::upsert};

#[async_trait]
impl SandboxStore for MemoryStore {
    async fn create(
        &self,
        sandbox: &Sandbox,
        sealed_key: &(SecretAddress, Sealed),
        audit: &AuditEntry,
    ) -> Result<(), DomainError> {
        self.write(|tables| {
            // The same unique keys as the SQL table: a clash is a storage error, nothing is written.
            if tables.sandboxes.contains_key(&sandbox.id)
                || tables
                    .sandboxes
                    .values()
                    .any(|other| other.key_digest == sandbox.key_digest)
            {
                return Err(DomainError::Internal("sandbox id or key digest collision".into()));
            }
            tables.sandboxes.insert(sandbox.id, sandbox.clone());
            upsert(tables, &sealed_key.0, &sealed_key.1, None, sandbox.created_at);
            tables.audit.push(audit.clone());
            Ok(())
        })
        .await
    }

    async fn list(&self, org: OrgId, creator: Option<UserId>) -> Result<Vec<Sandbox>, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .sandboxes
                    .values()
                    .rev()
                    .filter(|sandbox| {
                        sandbox.org_id == org
                            && sandbox.revoked_at.is_none()
                            && creator.is_none_or(|creator| sandbox.created_by == creator)
                    })
                    .cloned()
                    .collect()
            })
            .await)
    }

    async fn get(&self, org: OrgId, id: Uuid) -> Result<Option<Sandbox>, DomainError> {
        Ok(self
            .read(|tables| tables.sandboxes.get(&id).cloned())
            .await
            .filter(|sandbox| sandbox.org_id == org && sandbox.revoked_at.is_none()))
    }

    async fn revoke(&self, org: OrgId, id: Uuid, audit: &AuditEntry) -> Result<bool, DomainError> {
        Ok(self
            .write(|tables| match tables.sandboxes.get_mut(&id) {
                Some(sandbox) if sandbox.org_id == org && sandbox.revoked_at.is_none() => {
                    sandbox.revoked_at = Some(audit.at);
                    tables.audit.push(audit.clone());
                    true
                }
                _ => false,
            })
            .await)
    }

    async fn by_key_digest(&self, digest: &str) -> Result<Option<Sandbox>, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .sandboxes
                    .values()
                    .find(|sandbox| sandbox.key_digest == digest)
                    .cloned()
            })
            .await)
    }
}

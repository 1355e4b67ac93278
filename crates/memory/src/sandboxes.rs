//! Registered sandboxes, in memory; their session keys are sealed among the secrets.

use async_trait::async_trait;
use tenantry_domain::{
    AuditEntry, DomainError, OrgId, UserId,
    conversations::execution_status::ExecutionStatus,
    ports::{SandboxStore, SupervisedSandbox},
    sandbox::Sandbox,
    secrets::{Sealed, SecretAddress},
};
use uuid::Uuid;

use crate::{MemoryStore, secrets::upsert, tables::Tables};

/// Stores a sandbox with its sealed keys, with the same unique keys as the SQL table: a clash is
/// a storage error, and nothing is written.
pub(crate) fn insert_with_keys(
    tables: &mut Tables,
    sandbox: &Sandbox,
    sealed: &[(SecretAddress, Sealed)],
) -> Result<(), DomainError> {
    if tables.sandboxes.contains_key(&sandbox.id)
        || tables
            .sandboxes
            .values()
            .any(|other| other.key_digest == sandbox.key_digest)
    {
        return Err(DomainError::Internal("sandbox id or key digest collision".into()));
    }
    tables.sandboxes.insert(sandbox.id, sandbox.clone());
    for (address, sealed) in sealed {
        upsert(tables, address, sealed, None, sandbox.created_at);
    }
    Ok(())
}

impl MemoryStore {
    /// Sets (or clears) an org's own limit of running sandboxes.
    pub async fn set_sandbox_limit(&self, org: OrgId, limit: Option<u32>) {
        self.write(|tables| match limit {
            Some(limit) => tables.sandbox_limits.insert(org, limit),
            None => tables.sandbox_limits.remove(&org),
        })
        .await;
    }
}

#[async_trait]
impl SandboxStore for MemoryStore {
    async fn create(
        &self,
        sandbox: &Sandbox,
        sealed_key: &(SecretAddress, Sealed),
        audit: &AuditEntry,
    ) -> Result<(), DomainError> {
        self.write(|tables| {
            insert_with_keys(tables, sandbox, std::slice::from_ref(sealed_key))?;
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

    async fn supervised(&self) -> Result<Vec<SupervisedSandbox>, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .sandboxes
                    .values()
                    .filter(|sandbox| sandbox.revoked_at.is_none() && sandbox.runtime.is_some())
                    .map(|sandbox| {
                        let on_it = || {
                            tables
                                .conversations
                                .values()
                                .filter(|conversation| conversation.sandbox_id == Some(sandbox.id))
                        };
                        SupervisedSandbox {
                            last_conversation_activity: on_it()
                                .map(|conversation| conversation.last_updated_at)
                                .max(),
                            running_conversations: u32::try_from(
                                on_it()
                                    .filter(|conversation| {
                                        conversation
                                            .execution_status
                                            .as_ref()
                                            .is_some_and(ExecutionStatus::is_running)
                                    })
                                    .count(),
                            )
                            .unwrap_or(u32::MAX),
                            sandbox: sandbox.clone(),
                        }
                    })
                    .collect()
            })
            .await)
    }
}

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    AuditEntry, DomainError, OrgId, UserId,
    agents::sandbox::Sandbox,
    secrets::stored_secret::{Sealed, SecretAddress},
};

/// A sandbox Tenantry runs, with what decides whether it is idle.
#[derive(Debug, Clone)]
pub struct SupervisedSandbox {
    /// The sandbox.
    pub sandbox: Sandbox,
    /// The last change to any of its conversations.
    pub last_conversation_activity: Option<DateTime<Utc>>,
    /// Its conversations whose agent runs now (`execution_status` `running`).
    pub running_conversations: u32,
}

/// Registered sandboxes and their session-key digests.
#[async_trait]
pub trait SandboxStore: Send + Sync {
    /// Stores a new sandbox with its sealed session key (at `sealed_key.0`) and records `audit`, in
    /// one transaction.
    async fn create(
        &self,
        sandbox: &Sandbox,
        sealed_key: &(SecretAddress, Sealed),
        audit: &AuditEntry,
    ) -> Result<(), DomainError>;

    /// Live sandboxes of the org, only `creator`'s when given, newest first.
    async fn list(&self, org: OrgId, creator: Option<UserId>) -> Result<Vec<Sandbox>, DomainError>;

    /// The live sandbox `id` of the org.
    async fn get(&self, org: OrgId, id: Uuid) -> Result<Option<Sandbox>, DomainError>;

    /// Deletes (revokes) sandbox `id` of the org and records `audit` in the same transaction; whether
    /// it was live.
    async fn revoke(&self, org: OrgId, id: Uuid, audit: &AuditEntry) -> Result<bool, DomainError>;

    /// The sandbox whose session key has this digest, live or not.
    async fn by_key_digest(&self, digest: &str) -> Result<Option<Sandbox>, DomainError>;

    /// Every live sandbox Tenantry runs (in any state), with its conversations' activity.
    async fn supervised(&self) -> Result<Vec<SupervisedSandbox>, DomainError>;
}

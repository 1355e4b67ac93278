use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    DomainError, OrgId, UserId,
    agents::sandbox::{Sandbox, SandboxStatus},
    agents::sandbox_limits::RunningSandboxes,
    secrets::stored_secret::{Sealed, SecretAddress},
};

/// Sandboxes, inside a transaction. Whoever changes the number of running sandboxes of an org
/// locks the org first ([`crate::ports::OrgRows::lock`]), so concurrent starts are counted one
/// after the other.
#[async_trait]
pub trait SandboxRows: Send + Sync {
    /// Reads live sandbox `id` of the org and locks it until the end of the transaction.
    async fn lock_sandbox(&self, org: OrgId, id: Uuid) -> Result<Option<Sandbox>, DomainError>;

    /// Live sandboxes of the org holding a runtime slot (starting or running), in all and those
    /// `user` created, leaving out `except`.
    async fn running_sandboxes(
        &self,
        org: OrgId,
        user: UserId,
        except: Option<Uuid>,
    ) -> Result<RunningSandboxes, DomainError>;

    /// The org's own limit of running sandboxes, when an operator set one.
    async fn sandbox_limit_of(&self, org: OrgId) -> Result<Option<u32>, DomainError>;

    /// Stores a new sandbox with its sealed keys.
    async fn insert_sandbox(
        &self,
        sandbox: &Sandbox,
        sealed: &[(SecretAddress, Sealed)],
    ) -> Result<(), DomainError>;

    /// Sets a sandbox's status (and when it changed).
    async fn set_sandbox_status(
        &self,
        id: Uuid,
        status: SandboxStatus,
        at: DateTime<Utc>,
    ) -> Result<(), DomainError>;
}

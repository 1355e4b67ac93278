use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{DomainError, Email, Invitation, OrgId, UserId};

/// An invitation neither accepted nor revoked (it may have expired).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenInvitation {
    /// The invitation.
    pub invitation: Invitation,
    /// Who sent it, unless their account is gone.
    pub inviter: Option<UserId>,
}

/// Invitations, inside a transaction.
#[async_trait]
pub trait InvitationRows: Send + Sync {
    /// The open invitation with this token digest, locked until the end of the transaction.
    async fn lock_open_by_digest(&self, token_digest: &str) -> Result<Option<OpenInvitation>, DomainError>;

    /// Whether the email has a pending (open, unexpired at `now`) invitation to the org.
    async fn pending_for(&self, org: OrgId, email: &Email, now: DateTime<Utc>) -> Result<bool, DomainError>;

    /// Stores an invitation with the digest of its token.
    async fn insert(&self, invitation: &Invitation, token_digest: &str) -> Result<(), DomainError>;

    /// Marks an invitation accepted by `user`.
    async fn mark_accepted(&self, id: Uuid, user: UserId, at: DateTime<Utc>) -> Result<(), DomainError>;

    /// Revokes the org's open invitation with this id; `false` when there is none.
    async fn revoke(&self, org: OrgId, id: Uuid, at: DateTime<Utc>) -> Result<bool, DomainError>;

    /// Revokes every open invitation `inviter` sent to the org; how many.
    async fn revoke_sent_by(
        &self,
        org: OrgId,
        inviter: UserId,
        at: DateTime<Utc>,
    ) -> Result<u64, DomainError>;
}

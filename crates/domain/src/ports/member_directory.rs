use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{DomainError, Email, Invitation, OrgId, Role, UserId};

/// A member as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberView {
    /// The member.
    pub user_id: UserId,
    /// Their email.
    pub email: Email,
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: Role,
    /// Whether their email address is verified.
    pub email_verified: bool,
    /// Whether the member signs in with a second factor.
    pub mfa_enabled: bool,
    /// When they joined.
    pub joined_at: DateTime<Utc>,
}

/// Who is in an org and who is invited to it, as listed.
#[async_trait]
pub trait MemberDirectory: Send + Sync {
    /// The org's members, oldest first.
    async fn members(&self, org: OrgId) -> Result<Vec<MemberView>, DomainError>;

    /// Pending, unexpired invitations of the org, newest first.
    async fn pending_invitations(
        &self,
        org: OrgId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Invitation>, DomainError>;
}

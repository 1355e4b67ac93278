use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    AuditEntry, DomainError, Email, Invitation, Org, OrgId, OrgName, Role, User, UserId,
    invitation_acceptance::JoiningPolicy,
};

/// An org with the caller's role in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    /// The org.
    pub org: Org,
    /// The member's role.
    pub role: Role,
}

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
    /// When they joined.
    pub joined_at: DateTime<Utc>,
}

/// Changes to an org's descriptive fields; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrgPatch {
    /// New name.
    pub name: Option<OrgName>,
    /// New contact name (`Some(None)` clears it).
    pub contact_name: Option<Option<String>>,
    /// New contact email (`Some(None)` clears it).
    pub contact_email: Option<Option<Email>>,
}

/// Who makes a change, and when; stores stamp audit entries with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// The acting user.
    pub actor: UserId,
    /// When.
    pub at: DateTime<Utc>,
}

/// Orgs, memberships, invitations and the audit log. Every mutation writes its audit entry in the
/// same transaction, and membership mutations lock the org so concurrent changes are decided one
/// after the other (see [`crate::membership_rules`]).
#[async_trait]
pub trait OrgStore: Send + Sync {
    /// Creates a shared org with `change.actor` as owner. A taken name is `org_name_taken`.
    async fn create_org(&self, org: &Org, change: Change) -> Result<(), DomainError>;

    /// Every org `user` is a member of, with their role, oldest first.
    async fn orgs_of(&self, user: UserId) -> Result<Vec<Membership>, DomainError>;

    /// `user`'s membership in `org`, if any (one query).
    async fn membership(&self, org: OrgId, user: UserId) -> Result<Option<Membership>, DomainError>;

    /// `user`'s role in `org`; `NotFound` for a non-member, so nothing hints that the org exists.
    async fn member_role(&self, org: OrgId, user: UserId) -> Result<Role, DomainError> {
        self.membership(org, user)
            .await?
            .map(|membership| membership.role)
            .ok_or(DomainError::NotFound)
    }

    /// Applies `patch`; a taken name is `org_name_taken`.
    async fn update_org(&self, org: OrgId, patch: &OrgPatch, change: Change) -> Result<Org, DomainError>;

    /// Deletes a shared org and everything in it; members who had it as current org are moved back
    /// to their personal org.
    async fn delete_org(&self, org: OrgId, change: Change) -> Result<(), DomainError>;

    /// Makes `org` the user's current org (membership checked by the caller).
    async fn set_current_org(&self, user: UserId, org: OrgId) -> Result<(), DomainError>;

    /// Makes `to` an owner and the acting owner an admin. `to` must be a member (else `NotFound`).
    async fn transfer_ownership(&self, org: OrgId, to: UserId, change: Change) -> Result<(), DomainError>;

    /// The org's members, oldest first.
    async fn members(&self, org: OrgId) -> Result<Vec<MemberView>, DomainError>;

    /// Adds an existing user with `role`; decided by [`crate::membership_rules::decide_addition`]
    /// with the actor's role read in the transaction. `already_member` when they are one.
    async fn add_member(
        &self,
        org: OrgId,
        user: UserId,
        role: Role,
        change: Change,
    ) -> Result<MemberView, DomainError>;

    /// Changes `target`'s role, decided by [`crate::membership_rules::decide_role_change`].
    async fn change_role(
        &self,
        org: OrgId,
        target: UserId,
        role: Role,
        change: Change,
    ) -> Result<MemberView, DomainError>;

    /// Removes `target` (or lets the actor leave), decided by
    /// [`crate::membership_rules::decide_removal`]. A removed member whose current org this was is
    /// moved back to their personal org.
    async fn remove_member(&self, org: OrgId, target: UserId, change: Change) -> Result<(), DomainError>;

    /// Stores an invitation (its token as a digest). `already_invited` when a pending one exists for
    /// the email, `already_member` when the email is a member's.
    async fn create_invitation(
        &self,
        invitation: &Invitation,
        token_digest: &str,
        change: Change,
    ) -> Result<(), DomainError>;

    /// Pending, unexpired invitations of the org, newest first.
    async fn pending_invitations(
        &self,
        org: OrgId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Invitation>, DomainError>;

    /// Revokes a pending invitation (`NotFound` when there is none with this id).
    async fn revoke_invitation(&self, org: OrgId, id: Uuid, change: Change) -> Result<(), DomainError>;

    /// Accepts the invitation with this token digest for `user` as
    /// [`crate::invitation_acceptance::decide_acceptance`] decides on the facts read under the org lock:
    /// `NotFound` when unknown, spent or revoked.
    async fn accept_invitation(
        &self,
        token_digest: &str,
        user: &User,
        policy: JoiningPolicy,
        at: DateTime<Utc>,
    ) -> Result<MemberView, DomainError>;

    /// Audit entries of the org, newest first, strictly older than `before` when given.
    async fn audit_log(
        &self,
        org: OrgId,
        before: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<AuditEntry>, DomainError>;
}

/// Writes audit entries that are not part of another change's transaction.
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends an entry.
    async fn record(&self, entry: AuditEntry) -> Result<(), DomainError>;
}

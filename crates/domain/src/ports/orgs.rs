use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{AuditAction, AuditEntry, DomainError, Email, Org, OrgId, OrgName, Role, UserId};

/// An org with the caller's role in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    /// The org.
    pub org: Org,
    /// The member's role.
    pub role: Role,
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

/// Orgs and who belongs to them. Mutations write their audit entry in the same transaction.
#[async_trait]
pub trait Orgs: Send + Sync {
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
}

impl Change {
    /// The audit entry recording this change of `target` (`(kind, id)`) in `org`.
    pub fn audit(
        &self,
        org: OrgId,
        action: AuditAction,
        target: (&str, impl ToString),
        detail: serde_json::Value,
    ) -> AuditEntry {
        AuditEntry::new(
            org,
            self.at,
            Some(self.actor),
            action,
            (target.0, Some(target.1.to_string())),
            detail,
        )
    }
}

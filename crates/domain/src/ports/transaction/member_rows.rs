use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{DomainError, Email, OrgId, Role, UserId, ports::MemberView};

/// Memberships, inside a transaction.
#[async_trait]
pub trait MemberRows: Send + Sync {
    /// The user's role in the org, if they are a member.
    async fn role_of(&self, org: OrgId, user: UserId) -> Result<Option<Role>, DomainError>;

    /// How many owners the org has.
    async fn owner_count(&self, org: OrgId) -> Result<u64, DomainError>;

    /// Whether a member of the org has this email.
    async fn has_email(&self, org: OrgId, email: &Email) -> Result<bool, DomainError>;

    /// The member as listed, if they are one.
    async fn view(&self, org: OrgId, user: UserId) -> Result<Option<MemberView>, DomainError>;

    /// Adds a membership.
    async fn insert(
        &self,
        org: OrgId,
        user: UserId,
        role: Role,
        at: DateTime<Utc>,
    ) -> Result<(), DomainError>;

    /// Sets a member's role.
    async fn set_role(&self, org: OrgId, user: UserId, role: Role) -> Result<(), DomainError>;

    /// Deletes a membership.
    async fn delete(&self, org: OrgId, user: UserId) -> Result<(), DomainError>;
}

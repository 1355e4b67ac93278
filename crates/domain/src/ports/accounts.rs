use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{AuditEntry, DomainError, Org, OrgId, User, UserId};

/// A new account: the user, its personal org, and the owner membership that ties them.
#[derive(Debug, Clone)]
pub struct Registration {
    /// The user (its `current_org_id` is the personal org).
    pub user: User,
    /// The password hash, or `None` for an account that cannot log in with a password.
    pub password_hash: Option<String>,
    /// The personal org.
    pub org: Org,
    /// Recorded in the same transaction (an operator's creation, a single sign-on link), if any.
    pub audit: Option<AuditEntry>,
    /// The single sign-on identity the account is created for: linked in the same transaction, so
    /// a concurrent sign-in of the same person finds the account already linked. The creation
    /// counts as the account's first proof of itself.
    pub sso_link: Option<SsoIdentity>,
}

/// An identity at a single sign-on provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoIdentity {
    /// The issuer.
    pub issuer: String,
    /// The subject, stable at that issuer.
    pub subject: String,
}

/// Users and their accounts. Every method is one atomic unit.
#[async_trait]
pub trait Accounts: Send + Sync {
    /// The user with this id.
    async fn user_by_id(&self, id: UserId) -> Result<Option<User>, DomainError>;

    /// Users, oldest first, at most `limit`.
    async fn list_users(&self, limit: u64) -> Result<Vec<User>, DomainError>;

    /// The user's personal org (where operator actions on the account are recorded).
    async fn personal_org(&self, user_id: UserId) -> Result<Option<OrgId>, DomainError>;

    /// Disables (`Some`) or re-enables (`None`) a user, and revokes for good what `revocation`
    /// names, in the same transaction.
    async fn set_disabled(
        &self,
        user_id: UserId,
        disabled_at: Option<DateTime<Utc>>,
        revocation: Option<&crate::identity::credential_lifecycle::Revocation>,
        audit: &AuditEntry,
    ) -> Result<(), DomainError>;

    /// Marks the user's email verified at `at` (kept when it already was) and records `audit`,
    /// atomically.
    async fn mark_email_verified(
        &self,
        user_id: UserId,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<(), DomainError>;

    /// Sets the user's display name and records `audit`, atomically.
    async fn set_name(&self, user_id: UserId, name: &str, audit: &AuditEntry) -> Result<(), DomainError>;

    /// Records that the user just proved themselves (a password sign-in, a verified email):
    /// single sign-on links made before this stay through a password reset.
    async fn record_verified_sign_in(&self, user_id: UserId, at: DateTime<Utc>) -> Result<(), DomainError>;
}

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    AuditEntry, DomainError, Email, Org, OrgId, User, UserId,
    session::{NewOneTimeToken, NewRefreshToken, OneTimePurpose, OneTimeTokenState, RefreshRotation},
};

/// A new account: the user, its personal org, and the owner membership that ties them.
#[derive(Debug, Clone)]
pub struct Registration {
    /// The user (its `current_org_id` is the personal org).
    pub user: User,
    /// The password hash, or `None` for an account that cannot log in with a password.
    pub password_hash: Option<String>,
    /// The personal org.
    pub org: Org,
    /// Recorded in the same transaction (an operator's creation), if any.
    pub audit: Option<AuditEntry>,
}

/// A user with the hash its password is checked against.
#[derive(Debug, Clone)]
pub struct StoredCredentials {
    /// The user.
    pub user: User,
    /// Argon2 PHC string, if the user has a password.
    pub password_hash: Option<String>,
}

/// Users, their credentials and their sessions. Every method is one atomic unit.
#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// Creates the user, its personal org and owner membership in one transaction.
    /// A taken email is `Conflict { code: "email_taken" }`. The first user of an empty install
    /// becomes superadmin (decided inside the transaction, so two first registrations cannot both be).
    async fn register_user_with_personal_org(&self, registration: &Registration) -> Result<(), DomainError>;

    /// Users, oldest first, at most `limit`.
    async fn list_users(&self, limit: u64) -> Result<Vec<User>, DomainError>;

    /// Disables (or re-enables) a user; disabling also bumps the token epoch and revokes every session
    /// and every API key for good, so none of them works again after re-enabling.
    async fn set_disabled(
        &self,
        user_id: UserId,
        disabled_at: Option<DateTime<Utc>>,
        audit: &AuditEntry,
    ) -> Result<(), DomainError>;

    /// Grants or revokes superadmin; revoking the last superadmin is `Conflict { code:
    /// "last_superadmin" }`. `audit` is recorded in the same transaction.
    async fn set_superadmin(
        &self,
        user_id: UserId,
        superadmin: bool,
        audit: &AuditEntry,
    ) -> Result<(), DomainError>;

    /// The user's personal org (where operator actions on the account are recorded).
    async fn personal_org(&self, user_id: UserId) -> Result<Option<OrgId>, DomainError>;

    /// The user with this id, if `session` is one of its sessions and neither revoked nor past its
    /// end at `now`: the per-request check of an access token, in one read.
    async fn user_in_live_session(
        &self,
        user_id: UserId,
        session: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, DomainError>;

    /// The user with this id.
    async fn user_by_id(&self, id: UserId) -> Result<Option<User>, DomainError>;

    /// The user with this email, with its password hash.
    async fn credentials_by_email(&self, email: &Email) -> Result<Option<StoredCredentials>, DomainError>;

    /// The user with this id, with its password hash.
    async fn credentials_by_id(&self, id: UserId) -> Result<Option<StoredCredentials>, DomainError>;

    /// Replaces the hash of an unchanged password (stronger parameters); sessions stay.
    async fn rehash_password(&self, user_id: UserId, password_hash: &str) -> Result<(), DomainError>;

    /// Sets a new password, bumps the token epoch and revokes every refresh-token family but
    /// `keep_session`, atomically.
    async fn change_password(
        &self,
        user_id: UserId,
        password_hash: &str,
        keep_session: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError>;

    /// Bumps the token epoch and revokes every session of the user, atomically.
    async fn revoke_all_sessions(&self, user_id: UserId, now: DateTime<Utc>) -> Result<(), DomainError>;

    /// Opens a session: its row (id = the token's family, ending with it) and its first refresh
    /// token, atomically.
    async fn open_session(&self, first_token: &NewRefreshToken) -> Result<(), DomainError>;

    /// Spends the token with `presented_digest` and stores `next` in its family (its `family_id` and
    /// `expires_at` are replaced by the family's). A spent or revoked token revokes its whole family
    /// instead, and ends its session.
    async fn rotate_refresh_token(
        &self,
        presented_digest: &str,
        next: &NewRefreshToken,
        now: DateTime<Utc>,
    ) -> Result<RefreshRotation, DomainError>;

    /// Ends the session of the token with this digest (logout). Unknown tokens are ignored.
    async fn revoke_refresh_family(
        &self,
        presented_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError>;

    /// Stores a single-use token.
    async fn insert_one_time_token(&self, token: &NewOneTimeToken) -> Result<(), DomainError>;

    /// Spends a verification token and marks the email verified, atomically.
    async fn verify_email(
        &self,
        token_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<OneTimeTokenState, DomainError>;

    /// Spends a reset token, sets the new password, bumps the epoch and, atomically with it, revokes
    /// every session and every API key of the account and spends its other reset tokens: whoever
    /// held the account before the reset holds nothing afterwards.
    async fn reset_password(
        &self,
        token_digest: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<OneTimeTokenState, DomainError>;

    /// The state of a single-use token, without spending it.
    async fn peek_one_time_token(
        &self,
        purpose: OneTimePurpose,
        token_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<OneTimeTokenState, DomainError>;
}

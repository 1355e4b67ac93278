use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{DomainError, Email, User, UserId};

/// A user with the hash its password is checked against.
#[derive(Debug, Clone)]
pub struct StoredCredentials {
    /// The user.
    pub user: User,
    /// Argon2 PHC string, if the user has a password.
    pub password_hash: Option<String>,
}

/// Passwords: finding a user with the hash to check, and replacing it. Every method is one atomic unit.
#[async_trait]
pub trait Credentials: Send + Sync {
    /// The user with this email, with its password hash.
    async fn credentials_by_email(&self, email: &Email) -> Result<Option<StoredCredentials>, DomainError>;

    /// The user with this id, with its password hash.
    async fn credentials_by_id(&self, id: UserId) -> Result<Option<StoredCredentials>, DomainError>;

    /// Replaces the hash of an unchanged password (stronger parameters); sessions stay.
    async fn rehash_password(
        &self,
        user_id: UserId,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError>;

    /// Sets a new password, bumps the token epoch and revokes what `revocation` names, atomically.
    async fn change_password(
        &self,
        user_id: UserId,
        password_hash: &str,
        revocation: &crate::identity::credential_lifecycle::Revocation,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError>;
}

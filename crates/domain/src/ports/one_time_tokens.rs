use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    DomainError,
    identity::session::{NewOneTimeToken, OneTimePurpose, OneTimeTokenState},
};

/// Single-use tokens: email verification and password reset. Every method is one atomic unit.
#[async_trait]
pub trait OneTimeTokens: Send + Sync {
    /// Stores a single-use token.
    async fn insert_one_time_token(&self, token: &NewOneTimeToken) -> Result<(), DomainError>;

    /// The context stored with a token of `purpose` (spent or not), if it has one.
    async fn one_time_token_context(
        &self,
        purpose: OneTimePurpose,
        token_digest: &str,
    ) -> Result<Option<String>, DomainError>;

    /// Spends a verification token and marks the email verified, atomically.
    async fn verify_email(
        &self,
        token_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<OneTimeTokenState, DomainError>;

    /// Spends a reset token, sets the new password, records the reset as the account's latest
    /// verified sign-in and, atomically with it, revokes what `revocation` names and spends the
    /// account's other reset tokens: whoever held the account before the reset holds nothing
    /// afterwards.
    async fn reset_password(
        &self,
        token_digest: &str,
        password_hash: &str,
        revocation: &crate::identity::credential_lifecycle::Revocation,
        now: DateTime<Utc>,
    ) -> Result<OneTimeTokenState, DomainError>;

    /// The state of a single-use token, without spending it.
    async fn peek_one_time_token(
        &self,
        purpose: OneTimePurpose,
        token_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<OneTimeTokenState, DomainError>;

    /// Spends a valid token of `purpose` (atomically: it is valid once); says what it was.
    async fn spend_one_time_token(
        &self,
        purpose: OneTimePurpose,
        token_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<OneTimeTokenState, DomainError>;
}

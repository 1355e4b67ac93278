use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    DomainError, User, UserId,
    identity::session::{NewRefreshToken, RefreshRotation, SessionSummary, SignInMethod},
};

/// Sessions and their rotating refresh tokens. Every method is one atomic unit.
#[async_trait]
pub trait Sessions: Send + Sync {
    /// The user with this id and how the session was signed in, if `session` is one of its
    /// sessions and neither revoked nor past its end at `now`: the per-request check of an access
    /// token, in one read.
    async fn user_in_live_session(
        &self,
        user_id: UserId,
        session: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<(User, SignInMethod)>, DomainError>;

    /// Opens a session signed in with `method`: its row (id = the token's family, ending with it)
    /// and its first refresh token, atomically.
    async fn open_session(
        &self,
        first_token: &NewRefreshToken,
        method: SignInMethod,
    ) -> Result<(), DomainError>;

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

    /// The user's sessions neither revoked nor past their end at `now`, newest first.
    async fn live_sessions(
        &self,
        user_id: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionSummary>, DomainError>;

    /// Ends `session` when it is one of the user's live sessions (its refresh tokens revoked with
    /// it); `false` when there is no such session.
    async fn end_session(
        &self,
        user_id: UserId,
        session: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool, DomainError>;

    /// Bumps the token epoch and revokes every session of the user, atomically.
    async fn revoke_all_sessions(&self, user_id: UserId, now: DateTime<Utc>) -> Result<(), DomainError>;
}

use uuid::Uuid;

use crate::{
    DomainError, UserId,
    identity::session::{AccessClaims, IssuedAccessToken},
};

/// Signs and verifies short-lived access tokens.
pub trait AccessTokens: Send + Sync {
    /// A signed token for `user_id` in session `session_id`, at token epoch `epoch`.
    fn issue(&self, user_id: UserId, session_id: Uuid, epoch: i64) -> Result<IssuedAccessToken, DomainError>;

    /// The claims of a valid token; anything else is `Unauthorized`.
    fn verify(&self, token: &str) -> Result<AccessClaims, DomainError>;
}

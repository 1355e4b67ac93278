use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{DomainError, UserId, identity::credential_lifecycle::Revocation};

/// The credentials an account minted (API keys, sandboxes, share links, sessions, single sign-on
/// links), inside a transaction.
#[async_trait]
pub trait MemberGrantRows: Send + Sync {
    /// Revokes, for good, what `revocation` names of `user`'s credentials.
    async fn revoke(
        &self,
        user: UserId,
        revocation: &Revocation,
        at: DateTime<Utc>,
    ) -> Result<(), DomainError>;
}

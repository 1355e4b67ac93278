use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{DomainError, OrgId, UserId};

/// What a member holds in an org on the strength of their membership, inside a transaction.
#[async_trait]
pub trait MemberGrantRows: Send + Sync {
    /// Revokes, for good, the member's API keys for the org.
    async fn revoke_api_keys(&self, org: OrgId, user: UserId, at: DateTime<Utc>) -> Result<(), DomainError>;

    /// Revokes, for good, the sandboxes the member registered in the org.
    async fn revoke_sandboxes(&self, org: OrgId, user: UserId, at: DateTime<Utc>) -> Result<(), DomainError>;
}

use async_trait::async_trait;
use uuid::Uuid;

use crate::{AuditEntry, ConversationId, DomainError, OrgId, conversations::share::ConversationShare};

/// Share links of conversations, stored with the digest of their token.
#[async_trait]
pub trait ConversationShares: Send + Sync {
    /// Stores a link; `audit` is recorded in the same transaction.
    async fn create(
        &self,
        share: &ConversationShare,
        token_digest: &str,
        audit: &AuditEntry,
    ) -> Result<(), DomainError>;

    /// The conversation's links that are not revoked, newest first.
    async fn list(
        &self,
        org: OrgId,
        conversation: ConversationId,
    ) -> Result<Vec<ConversationShare>, DomainError>;

    /// Revokes a link of the conversation; `false` when there is no such live link.
    async fn revoke(
        &self,
        org: OrgId,
        conversation: ConversationId,
        id: Uuid,
        audit: &AuditEntry,
    ) -> Result<bool, DomainError>;

    /// The link with this token digest, revoked or not.
    async fn by_digest(&self, token_digest: &str) -> Result<Option<ConversationShare>, DomainError>;
}

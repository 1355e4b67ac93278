use async_trait::async_trait;

use crate::{ConversationId, DomainError, OrgId};

/// Event objects that must be deleted: a whole org's, or one conversation's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingPurge {
    /// The org.
    pub org_id: OrgId,
    /// The conversation, or `None` for everything of the org.
    pub conversation_id: Option<ConversationId>,
}

/// Event objects waiting to be deleted, recorded when their conversation or org was deleted.
#[async_trait]
pub trait PurgeQueue: Send + Sync {
    /// Event objects waiting to be deleted.
    async fn pending_purges(&self, limit: u64) -> Result<Vec<PendingPurge>, DomainError>;

    /// Forgets a purge once its objects are gone.
    async fn purge_done(&self, purge: PendingPurge) -> Result<(), DomainError>;
}

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{ConversationId, DomainError, OrgId};

/// A conversation deleted here that its agent server still has to delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingRemoteDeletion {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Its org.
    pub org_id: OrgId,
    /// The sandbox whose agent server runs it.
    pub sandbox_id: Uuid,
}

/// Remote deletions that failed, kept until they succeed.
#[async_trait]
pub trait RemoteDeletionQueue: Send + Sync {
    /// Records one (again: recording it twice keeps one).
    async fn record(&self, deletion: PendingRemoteDeletion, now: DateTime<Utc>) -> Result<(), DomainError>;

    /// Up to `limit` pending ones, oldest first.
    async fn pending(&self, limit: u64) -> Result<Vec<PendingRemoteDeletion>, DomainError>;

    /// Forgets one that is done.
    async fn done(&self, conversation: ConversationId) -> Result<(), DomainError>;
}

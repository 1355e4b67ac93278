use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{ConversationId, DomainError, OrgId, UserId, conversations::start_task::StartTask};

/// Which start tasks a search shows: `creator`'s in the org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartTaskFilter {
    /// The org.
    pub org: OrgId,
    /// Whose.
    pub creator: UserId,
    /// Only the one that started this conversation.
    pub conversation: Option<ConversationId>,
    /// Asked at or after.
    pub created_from: Option<DateTime<Utc>>,
}

/// Conversation start tasks.
#[async_trait]
pub trait StartTaskStore: Send + Sync {
    /// Stores a new task.
    async fn insert(&self, task: &StartTask) -> Result<(), DomainError>;

    /// Replaces a task's status, detail, conversation, sandbox and time of change.
    async fn update(&self, task: &StartTask) -> Result<(), DomainError>;

    /// The tasks of the org with these ids (any order; missing ones left out).
    async fn get_many(&self, org: OrgId, ids: &[Uuid]) -> Result<Vec<StartTask>, DomainError>;

    /// The tasks `filter` selects, newest first unless `oldest_first`, skipping `offset`, at most
    /// `limit`.
    async fn search(
        &self,
        filter: &StartTaskFilter,
        oldest_first: bool,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<StartTask>, DomainError>;

    /// How many tasks `filter` selects.
    async fn count(&self, filter: &StartTaskFilter) -> Result<u64, DomainError>;
}

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    Conversation, ConversationId, DomainError, OrgId, UserId, Visibility, conversation::Micros,
    ports::EventStore,
};

/// Which conversations a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationFilter {
    /// The reader.
    pub reader: UserId,
    /// Admins and owners see private conversations of others too.
    pub sees_private: bool,
    /// Only the reader's own.
    pub mine: bool,
    /// Title contains (case-insensitive).
    pub title_contains: Option<String>,
    /// Exact repository.
    pub repository: Option<String>,
    /// Exact execution status.
    pub execution_status: Option<String>,
}

/// Where a page continues: after this `(last_updated_at, id)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationCursor {
    /// `last_updated_at` of the last item seen.
    pub last_updated_at: DateTime<Utc>,
    /// Its id (breaks ties).
    pub id: ConversationId,
}

/// Changes to a conversation; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConversationPatch {
    /// New title (`Some(None)` clears it).
    pub title: Option<Option<String>>,
    /// New visibility.
    pub visibility: Option<Visibility>,
    /// New branch (`Some(None)` clears it).
    pub selected_branch: Option<Option<String>>,
    /// New list of pull requests.
    pub pr_number: Option<Vec<i64>>,
}

/// Usage to add to a conversation's totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsageReport {
    /// Prompt tokens.
    pub prompt_tokens: i64,
    /// Completion tokens.
    pub completion_tokens: i64,
    /// Cost.
    pub cost: Micros,
}

/// The ids a batch of events received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendedRange {
    /// First id of the batch.
    pub first_id: i64,
    /// Last id of the batch.
    pub last_id: i64,
}

/// A run of consecutive events stored as one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventSegment {
    /// The org.
    pub org_id: OrgId,
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Id of its first event.
    pub first_id: i64,
    /// Id of its last event.
    pub last_id: i64,
}

/// Event objects that must be deleted: a whole org's, or one conversation's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingPurge {
    /// The org.
    pub org_id: OrgId,
    /// The conversation, or `None` for everything of the org.
    pub conversation_id: Option<ConversationId>,
}

/// Conversation metadata, event bookkeeping and usage. Counters are changed atomically in SQL.
#[async_trait]
pub trait ConversationStore: Send + Sync {
    /// Stores a new conversation.
    async fn create(&self, conversation: &Conversation) -> Result<(), DomainError>;

    /// The conversation with this id in this org.
    async fn get(&self, org: OrgId, id: ConversationId) -> Result<Option<Conversation>, DomainError>;

    /// A page, newest `last_updated_at` first (ties by id), strictly after `after`.
    async fn list(
        &self,
        org: OrgId,
        filter: &ConversationFilter,
        after: Option<ConversationCursor>,
        limit: u64,
    ) -> Result<Vec<Conversation>, DomainError>;

    /// Applies `patch`.
    async fn update(
        &self,
        org: OrgId,
        id: ConversationId,
        patch: &ConversationPatch,
        now: DateTime<Utc>,
    ) -> Result<Conversation, DomainError>;

    /// Deletes the conversation and records its event objects for purging, atomically.
    async fn delete(&self, org: OrgId, id: ConversationId, now: DateTime<Utc>) -> Result<(), DomainError>;

    /// Adds usage to the totals atomically; returns the new totals.
    async fn add_usage(
        &self,
        org: OrgId,
        id: ConversationId,
        usage: UsageReport,
        now: DateTime<Utc>,
    ) -> Result<Conversation, DomainError>;

    /// Appends events with the next dense ids: with the conversation locked, allocates the ids,
    /// writes the events to `events` as one segment, then records the segment and the new count, and
    /// commits. If the write fails nothing is allocated.
    async fn append_events(
        &self,
        org: OrgId,
        id: ConversationId,
        events: Vec<serde_json::Value>,
        now: DateTime<Utc>,
        sink: &dyn EventStore,
    ) -> Result<AppendedRange, DomainError>;

    /// The segments holding events `start..start+limit` that are visible (below the event count).
    async fn segments(
        &self,
        org: OrgId,
        id: ConversationId,
        start: i64,
        limit: i64,
    ) -> Result<Vec<EventSegment>, DomainError>;

    /// Event objects waiting to be deleted.
    async fn pending_purges(&self, limit: u64) -> Result<Vec<PendingPurge>, DomainError>;

    /// Forgets a purge once its objects are gone.
    async fn purge_done(&self, purge: PendingPurge) -> Result<(), DomainError>;
}

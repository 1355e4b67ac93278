use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    ConversationId, DomainError, OrgId,
    agents::agent_reports::AgentStateChange,
    conversations::append_idempotency::IdempotencyKey,
    ports::{AppendedRange, EventSegment},
    spend::budget::SpendRecorded,
};

/// A conversation locked for appending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockedConversation {
    /// Its org.
    pub org_id: OrgId,
    /// The sandbox whose agent server runs it, if any.
    pub sandbox_id: Option<uuid::Uuid>,
    /// How many events it has: the next event's id.
    pub event_count: i64,
}

/// Conversations' event bookkeeping, inside a transaction.
#[async_trait]
pub trait EventLogRows: Send + Sync {
    /// Reads the conversation and locks it until the end of the transaction, so appenders of one
    /// conversation (on every server instance) take turns.
    async fn lock_conversation(&self, id: ConversationId) -> Result<Option<LockedConversation>, DomainError>;

    /// Records a stored segment: its row, the new event count (`last_id + 1`) and `last_updated_at`.
    async fn record_segment(&self, segment: EventSegment, at: DateTime<Utc>) -> Result<(), DomainError>;

    /// The ids the batch written as `batch` got, if its segment was recorded.
    async fn batch_segment(
        &self,
        conversation: ConversationId,
        batch: uuid::Uuid,
    ) -> Result<Option<AppendedRange>, DomainError>;

    /// The ids of the batch appended with `key` to the conversation, if there was one.
    async fn keyed_batch(
        &self,
        conversation: ConversationId,
        key: &IdempotencyKey,
    ) -> Result<Option<AppendedRange>, DomainError>;

    /// Keeps `key` on the segment starting at `first_id` (recorded in this transaction).
    async fn key_segment(
        &self,
        conversation: ConversationId,
        first_id: i64,
        key: &IdempotencyKey,
    ) -> Result<(), DomainError>;

    /// Claims event keys for the conversation under a unique index; returns the keys that were not
    /// claimed before (the index is the arbiter of duplicates, across deliveries and instances).
    async fn claim_event_keys(
        &self,
        conversation: ConversationId,
        keys: &[String],
    ) -> Result<HashSet<String>, DomainError>;

    /// Applies the state reported events carry: status, and usage raised to the reported totals
    /// (never lowered); usage it adds is counted against budgets.
    async fn apply_reported_state(
        &self,
        conversation: ConversationId,
        change: &AgentStateChange,
        at: DateTime<Utc>,
    ) -> Result<Option<SpendRecorded>, DomainError>;
}

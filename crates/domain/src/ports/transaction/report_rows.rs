use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    Conversation, ConversationId, DomainError, agents::sandbox_access::ExistingConversation,
    spend::budget::SpendRecorded, spend::usage_charge::UsageDelta,
};

/// Where a reported conversation stands, read under its lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportedConversation {
    /// Its org and sandbox, when it exists.
    pub existing: Option<ExistingConversation>,
    /// Whether a conversation with its id was deleted.
    pub deleted: bool,
}

/// Conversations as agent servers report them, inside a transaction.
#[async_trait]
pub trait ReportRows: Send + Sync {
    /// Locks conversation `id` (in any org) for the rest of the transaction, and says where it
    /// stands.
    async fn lock_reported(&self, id: ConversationId) -> Result<ReportedConversation, DomainError>;

    /// Inserts `conversation` as given; `false` when another transaction inserted its id first
    /// (this transaction is then spent: the caller drops it and begins again).
    async fn insert_reported(&self, conversation: &Conversation) -> Result<bool, DomainError>;

    /// Sets the title and the model a report names, each only when given.
    async fn set_reported_names(
        &self,
        id: ConversationId,
        title: Option<&str>,
        model: Option<&str>,
    ) -> Result<(), DomainError>;

    /// Adds what only Tenantry knows of a conversation it started (creator, visibility, trigger,
    /// repository and branch, and the title when given) to the row a report created first.
    async fn add_started_metadata(&self, conversation: &Conversation) -> Result<(), DomainError>;

    /// Counts `delta`, which `conversation` (as it now stands) added at `at`, against budgets and
    /// credits; nothing for an empty delta.
    async fn count_usage(
        &self,
        conversation: &Conversation,
        delta: UsageDelta,
        at: DateTime<Utc>,
    ) -> Result<Option<SpendRecorded>, DomainError>;
}

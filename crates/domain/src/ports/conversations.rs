use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    Conversation, ConversationId, DomainError, OrgId, Role, UserId, Visibility,
    conversations::conversation::Micros, conversations::conversation_order::ConversationOrder,
    sign_in::org_policy::MemberAccess,
};

/// A span of time: from `from` (included) to `before` (excluded); either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeRange {
    /// The earliest instant included.
    pub from: Option<DateTime<Utc>>,
    /// The first instant excluded.
    pub before: Option<DateTime<Utc>>,
}

impl TimeRange {
    /// Whether `at` is inside.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.from.is_none_or(|from| at >= from) && self.before.is_none_or(|before| at < before)
    }
}

/// Which conversations a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationFilter {
    /// The reader.
    pub reader: UserId,
    /// The roles that see other members' private conversations too (the policy decides which).
    pub private_visible_to: Vec<Role>,
    /// Only the reader's own.
    pub mine: bool,
    /// Title contains (case-insensitive).
    pub title_contains: Option<String>,
    /// Exact repository.
    pub repository: Option<String>,
    /// Exact execution status.
    pub execution_status: Option<crate::conversations::execution_status::ExecutionStatus>,
    /// Only those run on this sandbox.
    pub sandbox: Option<uuid::Uuid>,
    /// Created within.
    pub created: TimeRange,
    /// Last changed within.
    pub updated: TimeRange,
    /// The order of the list (and of its cursor's key).
    pub order: ConversationOrder,
}

/// Where a page continues: after this `(at, id)` in `order`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationCursor {
    /// The order the list was walked in.
    pub order: ConversationOrder,
    /// The last item's key: `last_updated_at` or `created_at`, as `order` says.
    pub at: DateTime<Utc>,
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

/// Conversation metadata and usage totals. Counters change atomically in the store.
#[async_trait]
pub trait Conversations: Send + Sync {
    /// Stores a new conversation.
    async fn create(&self, conversation: &Conversation) -> Result<(), DomainError>;

    /// The conversation with this id in this org.
    async fn get(&self, org: OrgId, id: ConversationId) -> Result<Option<Conversation>, DomainError>;

    /// The conversation with this id in this org, with `reader`'s role in the org and its access
    /// policy (`None`: not a member), read together.
    async fn get_for(
        &self,
        org: OrgId,
        id: ConversationId,
        reader: UserId,
    ) -> Result<Option<(Conversation, Option<MemberAccess>)>, DomainError>;

    /// The reader's role in `org` (`None`: not a member) and, for a member, a page of what `filter`
    /// shows, newest `last_updated_at` first (ties by id), strictly after `after`; read together.
    async fn list_for(
        &self,
        org: OrgId,
        filter: &ConversationFilter,
        after: Option<ConversationCursor>,
        limit: u64,
    ) -> Result<(Option<MemberAccess>, Vec<Conversation>), DomainError>;

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

    /// Makes `to` the conversation's creator; `audit` is recorded in the same transaction.
    async fn reassign(
        &self,
        org: OrgId,
        id: ConversationId,
        to: UserId,
        audit: &crate::AuditEntry,
    ) -> Result<Conversation, DomainError>;

    /// Adds usage to the totals atomically, counting it against budgets in the same transaction;
    /// returns the new totals (and the spending, when the report cost or used anything).
    async fn add_usage(
        &self,
        org: OrgId,
        id: ConversationId,
        usage: UsageReport,
        now: DateTime<Utc>,
    ) -> Result<(Conversation, Option<crate::spend::budget::SpendRecorded>), DomainError>;

    /// Sets when the conversation was last active (an import restores its source's time after
    /// appending the events, which move it).
    async fn restore_last_updated(
        &self,
        org: OrgId,
        id: ConversationId,
        at: DateTime<Utc>,
    ) -> Result<(), DomainError>;
}

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    AuditEntry, ConversationId, DomainError, OrgId, UserId,
    conversations::conversation::Micros,
    spend::budget::{Budget, SpendPeriod, Spending},
};

/// Spending of one member or one model in a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageLine<K> {
    /// The member or the model (`None`: not reported).
    pub key: K,
    /// Cost.
    pub cost: Micros,
    /// Prompt tokens.
    pub prompt_tokens: i64,
    /// Completion tokens.
    pub completion_tokens: i64,
}

/// An org's usage in a period.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UsageSummary {
    /// Everything.
    pub total: Micros,
    /// By member.
    pub by_member: Vec<UsageLine<UserId>>,
    /// By model.
    pub by_model: Vec<UsageLine<Option<String>>>,
    /// By the UTC hour it was reported in (hour starts, oldest first; hours without spending left
    /// out).
    pub by_hour: Vec<(DateTime<Utc>, Micros)>,
}

/// Budgets and what was spent against them. Usage reports are counted where usage is written, in
/// the same transaction (see `Conversations::add_usage` and the agent reports).
#[async_trait]
pub trait SpendStore: Send + Sync {
    /// The org's budget (all unlimited when never set).
    async fn budget(&self, org: OrgId) -> Result<Budget, DomainError>;

    /// Replaces the org's budget and records `audit`, atomically.
    async fn set_budget(&self, org: OrgId, budget: &Budget, audit: &AuditEntry) -> Result<(), DomainError>;

    /// What the org and `member` spent in `period`, and `conversation`'s cost, in one read.
    async fn spending(
        &self,
        org: OrgId,
        period: SpendPeriod,
        member: UserId,
        conversation: Option<ConversationId>,
    ) -> Result<Spending, DomainError>;

    /// Claims the org's alert of `period` (once: `false` when claimed before).
    async fn claim_alert(
        &self,
        org: OrgId,
        period: SpendPeriod,
        at: DateTime<Utc>,
    ) -> Result<bool, DomainError>;

    /// Flags the conversation `over_budget`.
    async fn flag_over_budget(&self, org: OrgId, conversation: ConversationId) -> Result<(), DomainError>;

    /// The org's usage in `period`, by member and by model, in any order (see
    /// [`crate::spend::usage_order`]).
    async fn usage(&self, org: OrgId, period: SpendPeriod) -> Result<UsageSummary, DomainError>;
}

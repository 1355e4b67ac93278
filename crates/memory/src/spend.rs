//! [`SpendStore`] in memory, and counting usage reports where the memory stores write usage.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::{
    AuditEntry, Conversation, ConversationId, DomainError, OrgId, UserId,
    agent_reports::AgentStateChange,
    billing::LedgerEntry,
    budget::{Budget, BudgetSource, Credits, SpendPeriod, SpendRecorded, SpendTotals, Spending},
    new_id,
    ports::{SpendStore, UsageLine, UsageSummary},
};
use uuid::Uuid;

use crate::{MemoryStore, tables::Tables};

/// A spending counter: the org (nil user) or one member, in one period.
pub(crate) type CounterKey = (OrgId, SpendPeriod, UserId);
/// What the counter holds, and when its alert went out.
pub(crate) type Counter = (i64, Option<DateTime<Utc>>);

/// One counted usage report.
#[derive(Debug, Clone)]
pub(crate) struct UsageRow {
    pub org: OrgId,
    pub member: UserId,
    pub model: Option<String>,
    pub cost: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub period: SpendPeriod,
}

/// Counts what `after` adds to `before` (the same conversation) at `at`.
pub(crate) fn count_usage(
    tables: &mut Tables,
    before: &Conversation,
    after: &Conversation,
    at: DateTime<Utc>,
) -> Option<SpendRecorded> {
    let cost = after.accumulated_cost - before.accumulated_cost;
    let prompt_tokens = after.prompt_tokens - before.prompt_tokens;
    let completion_tokens = after.completion_tokens - before.completion_tokens;
    if cost == 0 && prompt_tokens == 0 && completion_tokens == 0 {
        return None;
    }
    let zone = tables
        .budgets
        .get(&after.org_id)
        .map(|budget| budget.time_zone)
        .unwrap_or_default();
    let period = SpendPeriod::of(at, zone);
    tables.usage_rows.push(UsageRow {
        org: after.org_id,
        member: after.created_by,
        model: after.llm_model.clone(),
        cost,
        prompt_tokens,
        completion_tokens,
        period,
    });
    let mut raise = |user: Uuid| {
        let counter = tables
            .spend_periods
            .entry((after.org_id, period, user))
            .or_insert((0, None));
        // Reports are bounded, so this saturates only after millions of conversations at their bound.
        counter.0 = counter.0.saturating_add(cost);
        counter.0
    };
    let org_after = raise(Uuid::nil());
    let member_after = raise(after.created_by);
    let source = tables
        .budgets
        .get(&after.org_id)
        .map(|budget| budget.source)
        .unwrap_or_default();
    let credits = if source == BudgetSource::Credits && cost > 0 {
        tables.credit_ledger.push(LedgerEntry {
            id: new_id(),
            org_id: after.org_id,
            amount: -cost,
            kind: "usage".into(),
            reference: after.id.to_string(),
            at,
        });
        let credits = tables.credits.entry(after.org_id).or_default();
        credits.used = credits.used.saturating_add(cost);
        *credits
    } else {
        Credits::default()
    };
    Some(SpendRecorded {
        org: after.org_id,
        conversation: after.id,
        member: after.created_by,
        at,
        period,
        totals: SpendTotals {
            org_before: org_after - cost,
            org_after,
            member_after,
            conversation_after: after.accumulated_cost,
            credits,
        },
    })
}

/// Applies reported state to a stored conversation and counts the usage it adds.
pub(crate) fn apply_and_count(
    tables: &mut Tables,
    id: ConversationId,
    change: &AgentStateChange,
    at: DateTime<Utc>,
) -> Option<SpendRecorded> {
    let conversation = tables.conversations.get_mut(&id)?;
    let before = conversation.clone();
    crate::conversations::apply_reported_state(conversation, change, at);
    let after = conversation.clone();
    count_usage(tables, &before, &after, at)
}

#[async_trait]
impl SpendStore for MemoryStore {
    async fn budget(&self, org: OrgId) -> Result<Budget, DomainError> {
        Ok(self
            .read(|tables| tables.budgets.get(&org).cloned().unwrap_or_default())
            .await)
    }

    async fn set_budget(&self, org: OrgId, budget: &Budget, audit: &AuditEntry) -> Result<(), DomainError> {
        self.write(|tables| {
            tables.budgets.insert(org, budget.clone());
            tables.audit.push(audit.clone());
        })
        .await;
        Ok(())
    }

    async fn spending(
        &self,
        org: OrgId,
        period: SpendPeriod,
        member: UserId,
        conversation: Option<ConversationId>,
    ) -> Result<Spending, DomainError> {
        Ok(self
            .read(|tables| {
                let spent = |user: Uuid| {
                    tables
                        .spend_periods
                        .get(&(org, period, user))
                        .map_or(0, |counter| counter.0)
                };
                Spending {
                    credits: tables.credits.get(&org).copied().unwrap_or_default(),
                    org: spent(Uuid::nil()),
                    member: spent(member),
                    conversation: conversation.map(|id| {
                        tables
                            .conversations
                            .get(&id)
                            .filter(|row| row.org_id == org)
                            .map_or(0, |row| row.accumulated_cost)
                    }),
                }
            })
            .await)
    }

    async fn claim_alert(
        &self,
        org: OrgId,
        period: SpendPeriod,
        at: DateTime<Utc>,
    ) -> Result<bool, DomainError> {
        Ok(self
            .write(
                |tables| match tables.spend_periods.get_mut(&(org, period, Uuid::nil())) {
                    Some(counter) if counter.1.is_none() => {
                        counter.1 = Some(at);
                        true
                    }
                    _ => false,
                },
            )
            .await)
    }

    async fn flag_over_budget(&self, org: OrgId, conversation: ConversationId) -> Result<(), DomainError> {
        self.write(|tables| {
            if let Some(row) = tables
                .conversations
                .get_mut(&conversation)
                .filter(|row| row.org_id == org)
            {
                row.over_budget = true;
            }
        })
        .await;
        Ok(())
    }

    async fn usage(&self, org: OrgId, period: SpendPeriod) -> Result<UsageSummary, DomainError> {
        Ok(self
            .read(|tables| {
                let mut summary = UsageSummary::default();
                for row in tables
                    .usage_rows
                    .iter()
                    .filter(|row| row.org == org && row.period == period)
                {
                    summary.total += row.cost;
                    add(&mut summary.by_member, row.member, row);
                    add(&mut summary.by_model, row.model.clone(), row);
                }
                summary
                    .by_member
                    .sort_by(|a, b| b.cost.cmp(&a.cost).then(a.key.cmp(&b.key)));
                summary
                    .by_model
                    .sort_by(|a, b| b.cost.cmp(&a.cost).then(a.key.cmp(&b.key)));
                summary
            })
            .await)
    }
}

fn add<K: PartialEq>(lines: &mut Vec<UsageLine<K>>, key: K, row: &UsageRow) {
    match lines.iter_mut().find(|line| line.key == key) {
        Some(line) => {
            line.cost += row.cost;
            line.prompt_tokens += row.prompt_tokens;
            line.completion_tokens += row.completion_tokens;
        }
        None => lines.push(UsageLine {
            key,
            cost: row.cost,
            prompt_tokens: row.prompt_tokens,
            completion_tokens: row.completion_tokens,
        }),
    }
}

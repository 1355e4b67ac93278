//! Usage written where the memory stores write it: a conversation's totals as the domain raises
//! them, and what they add counted against budgets and credits.

use chrono::{DateTime, Utc};
use tenantry_domain::{
    Conversation, ConversationId,
    agent_reports::AgentStateChange,
    billing::{LedgerEntry, LedgerKind},
    budget::{CountersAfter, SpendPeriod, SpendRecorded},
    new_id,
    spend::usage_charge::{UsageDelta, UsageTotals, credit_debit, raise_to_reported},
};
use uuid::Uuid;

use crate::tables::{Tables, UsageRow};

/// Counts `delta`, which `conversation` (as it is now) added, at `at`; nothing for an empty delta.
pub(crate) fn count_usage(
    tables: &mut Tables,
    conversation: &Conversation,
    delta: UsageDelta,
    at: DateTime<Utc>,
) -> Option<SpendRecorded> {
    if delta.is_empty() {
        return None;
    }
    let budget = tables.budgets.get(&conversation.org_id);
    let zone = budget.map(|budget| budget.time_zone).unwrap_or_default();
    let source = budget.map(|budget| budget.source).unwrap_or_default();
    let period = SpendPeriod::of(at, zone);
    tables.usage_rows.push(UsageRow {
        org: conversation.org_id,
        member: conversation.created_by,
        model: conversation.llm_model.clone(),
        cost: delta.cost,
        prompt_tokens: delta.prompt_tokens,
        completion_tokens: delta.completion_tokens,
        period,
        at,
    });
    let mut raise = |user: Uuid| {
        let counter = tables
            .spend_periods
            .entry((conversation.org_id, period, user))
            .or_insert((0, None));
        // Reports are bounded, so this saturates only after millions of conversations at their bound.
        counter.0 = counter.0.saturating_add(delta.cost);
        counter.0
    };
    let org_after = raise(Uuid::nil());
    let member_after = raise(conversation.created_by);
    let credits = match credit_debit(source, delta) {
        Some(debit) => {
            tables.credit_ledger.push(LedgerEntry {
                id: new_id(),
                org_id: conversation.org_id,
                amount: -debit,
                kind: LedgerKind::Usage,
                reference: conversation.id.to_string(),
                at,
            });
            let credits = tables.credits.entry(conversation.org_id).or_default();
            credits.used = credits.used.saturating_add(debit);
            *credits
        }
        None => Default::default(),
    };
    let after = CountersAfter {
        org: org_after,
        member: member_after,
        conversation: conversation.accumulated_cost,
        credits,
    };
    Some(SpendRecorded::counted(
        conversation.org_id,
        conversation.id,
        conversation.created_by,
        at,
        period,
        delta.cost,
        after,
    ))
}

/// Applies reported state to a stored conversation (the status as reported, the totals as
/// [`raise_to_reported`] decides) and counts the usage it adds.
pub(crate) fn apply_and_count(
    tables: &mut Tables,
    id: ConversationId,
    change: &AgentStateChange,
    at: DateTime<Utc>,
) -> Option<SpendRecorded> {
    let conversation = tables.conversations.get_mut(&id)?;
    conversation.last_updated_at = at;
    if let Some(status) = &change.execution_status {
        conversation.execution_status = Some(status.clone());
    }
    let delta = change
        .usage
        .map(|reported| raise_to_reported(UsageTotals::of(conversation), reported))
        .unwrap_or_default();
    let after = UsageTotals::of(conversation).plus(delta);
    conversation.accumulated_cost = after.cost;
    conversation.prompt_tokens = after.prompt_tokens;
    conversation.completion_tokens = after.completion_tokens;
    conversation.total_tokens = after.total_tokens();
    let conversation = conversation.clone();
    count_usage(tables, &conversation, delta, at)
}

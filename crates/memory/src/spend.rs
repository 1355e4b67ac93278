//! [`SpendStore`] in memory.

use async_trait::async_trait;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use tenantry_domain::{
    AuditEntry, ConversationId, DomainError, OrgId, UserId,
    budget::{Budget, SpendPeriod, Spending},
    ports::{SpendStore, UsageLine, UsageSummary},
};
use uuid::Uuid;

use crate::{MemoryStore, tables::UsageRow};

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
                    let hour = row.at.duration_trunc(TimeDelta::hours(1)).unwrap_or(row.at);
                    match summary.by_hour.iter_mut().find(|(start, _)| *start == hour) {
                        Some((_, cost)) => *cost += row.cost,
                        None => summary.by_hour.push((hour, row.cost)),
                    }
                }
                summary.by_hour.sort_by_key(|(hour, _)| *hour);
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

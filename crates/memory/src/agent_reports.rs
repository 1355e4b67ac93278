//! Conversations as agent servers report them, in memory: where a report goes is the domain's
//! decision ([`decide_report_target`]), taken and applied in one atomic step.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::{
    Conversation, DomainError, Visibility,
    agent_reports::{AgentStateChange, ConversationReport},
    ports::{AgentReportStore, ReportOutcome},
    sandbox::Sandbox,
    sandbox_access::{ExistingConversation, ReportTarget, decide_report_target},
    spend::usage_charge::{UsageTotals, raise_to_reported},
};

use crate::{MemoryStore, tables::Tables};

fn target(
    tables: &Tables,
    id: tenantry_domain::ConversationId,
    sandbox: &Sandbox,
) -> Result<ReportTarget, DomainError> {
    decide_report_target(
        tables
            .conversations
            .get(&id)
            .map(|existing| ExistingConversation {
                org_id: existing.org_id,
                sandbox_id: existing.sandbox_id,
            }),
        tables.deleted_conversations.contains(&id),
        sandbox.org_id,
        sandbox.id,
    )
}

#[async_trait]
impl AgentReportStore for MemoryStore {
    async fn record_report(
        &self,
        sandbox: &Sandbox,
        report: &ConversationReport,
        now: DateTime<Utc>,
    ) -> Result<ReportOutcome, DomainError> {
        self.write(|tables| {
            let recorded = match target(tables, report.id, sandbox)? {
                ReportTarget::Ignore => return Ok(ReportOutcome::Ignored),
                ReportTarget::Create => {
                    let usage = report.usage.unwrap_or_default();
                    let conversation = Conversation {
                        id: report.id,
                        org_id: sandbox.org_id,
                        created_by: sandbox.created_by,
                        title: report.title.clone(),
                        selected_repository: None,
                        selected_branch: None,
                        git_provider: None,
                        trigger: Some("agent_server".into()),
                        llm_model: report.llm_model.clone(),
                        visibility: Visibility::Private,
                        pr_number: Vec::new(),
                        accumulated_cost: usage.cost,
                        prompt_tokens: usage.prompt_tokens,
                        completion_tokens: usage.completion_tokens,
                        total_tokens: usage.prompt_tokens + usage.completion_tokens,
                        event_count: 0,
                        sandbox_id: Some(sandbox.id),
                        execution_status: report.execution_status.clone(),
                        created_at: now,
                        last_updated_at: now,
                        over_budget: false,
                    };
                    tables.conversations.insert(report.id, conversation.clone());
                    let delta = raise_to_reported(UsageTotals::default(), usage);
                    crate::usage_counting::count_usage(tables, &conversation, delta, now)
                }
                ReportTarget::Update => {
                    if let Some(conversation) = tables.conversations.get_mut(&report.id) {
                        if let Some(title) = &report.title {
                            conversation.title = Some(title.clone());
                        }
                        if let Some(model) = &report.llm_model {
                            conversation.llm_model = Some(model.clone());
                        }
                    }
                    let change = AgentStateChange {
                        execution_status: report.execution_status.clone(),
                        usage: report.usage,
                    };
                    if change.is_empty() {
                        None
                    } else {
                        crate::usage_counting::apply_and_count(tables, report.id, &change, now)
                    }
                }
            };
            Ok(ReportOutcome::Recorded(recorded))
        })
        .await
    }

    async fn record_started(
        &self,
        sandbox: &Sandbox,
        conversation: &Conversation,
    ) -> Result<(), DomainError> {
        self.write(|tables| {
            match target(tables, conversation.id, sandbox)? {
                ReportTarget::Ignore => {}
                ReportTarget::Create => {
                    let mut started = conversation.clone();
                    started.accumulated_cost = 0;
                    started.prompt_tokens = 0;
                    started.completion_tokens = 0;
                    started.total_tokens = 0;
                    started.event_count = 0;
                    tables.conversations.insert(started.id, started);
                }
                ReportTarget::Update => {
                    if let Some(reported) = tables.conversations.get_mut(&conversation.id) {
                        // The agent server reported first: keep what it reported, add what only
                        // Tenantry knows.
                        reported.created_by = conversation.created_by;
                        reported.visibility = conversation.visibility;
                        reported.trigger.clone_from(&conversation.trigger);
                        reported
                            .selected_repository
                            .clone_from(&conversation.selected_repository);
                        reported.selected_branch.clone_from(&conversation.selected_branch);
                        if conversation.title.is_some() {
                            reported.title.clone_from(&conversation.title);
                        }
                    }
                }
            }
            Ok(())
        })
        .await
    }
}

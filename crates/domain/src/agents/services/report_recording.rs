//! Recording what agent servers report about a conversation, and the conversations Tenantry starts
//! on them: read under the conversation's lock, decided by
//! [`decide_report_target`], written in the same transaction.

use chrono::{DateTime, Utc};

use crate::{
    Conversation, DomainError, Visibility,
    agents::agent_reports::{AgentStateChange, ConversationReport, ReportOutcome},
    agents::sandbox::Sandbox,
    agents::sandbox_access::{ReportTarget, decide_report_target},
    agents::services::sandboxes::SandboxService,
    spend::usage_charge::{UsageDelta, UsageTotals, raise_to_reported},
};

/// How many times a first report races another for the same new conversation before giving up
/// (the loser of a race finds the winner's row on its next round).
const INSERT_ROUNDS: usize = 2;

/// The conversation a sandbox's first report creates: in the sandbox's org, for its creator,
/// private, with the reported totals.
fn reported_conversation(sandbox: &Sandbox, report: &ConversationReport, now: DateTime<Utc>) -> Conversation {
    let usage = raise_to_reported(UsageTotals::default(), report.usage.unwrap_or_default());
    let totals = UsageTotals::default().plus(usage);
    Conversation {
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
        accumulated_cost: totals.cost,
        prompt_tokens: totals.prompt_tokens,
        completion_tokens: totals.completion_tokens,
        total_tokens: totals.total_tokens(),
        event_count: 0,
        sandbox_id: Some(sandbox.id),
        execution_status: report.execution_status.clone(),
        created_at: now,
        last_updated_at: now,
        over_budget: false,
    }
}

impl SandboxService {
    /// Creates the reported conversation in the sandbox's org, or updates it when it is this
    /// sandbox's (title and model when reported, the status, usage raised to the reported totals);
    /// usage a report adds is counted against budgets in the same transaction. A deleted
    /// conversation is left alone.
    pub(crate) async fn record_report(
        &self,
        sandbox: &Sandbox,
        report: &ConversationReport,
        now: DateTime<Utc>,
    ) -> Result<ReportOutcome, DomainError> {
        for _ in 0..INSERT_ROUNDS {
            let transaction = self.ports.unit_of_work.begin().await?;
            let rows = transaction.reports();
            let found = rows.lock_reported(report.id).await?;
            let recorded =
                match decide_report_target(found.existing, found.deleted, sandbox.org_id, sandbox.id)? {
                    ReportTarget::Ignore => return Ok(ReportOutcome::Ignored),
                    ReportTarget::Create => {
                        let conversation = reported_conversation(sandbox, report, now);
                        if !rows.insert_reported(&conversation).await? {
                            continue;
                        }
                        let delta =
                            UsageDelta::between(UsageTotals::default(), UsageTotals::of(&conversation));
                        rows.count_usage(&conversation, delta, now).await?
                    }
                    ReportTarget::Update => {
                        if report.title.is_some() || report.llm_model.is_some() {
                            rows.set_reported_names(
                                report.id,
                                report.title.as_deref(),
                                report.llm_model.as_deref(),
                            )
                            .await?;
                        }
                        let change = AgentStateChange {
                            execution_status: report.execution_status.clone(),
                            usage: report.usage,
                        };
                        if change.is_empty() {
                            None
                        } else {
                            transaction
                                .event_log()
                                .apply_reported_state(report.id, &change, now)
                                .await?
                        }
                    }
                };
            transaction.commit().await?;
            return Ok(ReportOutcome::Recorded(recorded));
        }
        Err(DomainError::Unavailable(
            "conversation report kept conflicting".into(),
        ))
    }

    /// Records a conversation Tenantry started on the sandbox's agent server: inserted as given
    /// (with no usage yet), or, when the agent server's first report came first, what only Tenantry
    /// knows of it added to the reported row. A conversation deleted meanwhile stays deleted.
    pub async fn record_started(
        &self,
        sandbox: &Sandbox,
        conversation: &Conversation,
    ) -> Result<(), DomainError> {
        for _ in 0..INSERT_ROUNDS {
            let transaction = self.ports.unit_of_work.begin().await?;
            let rows = transaction.reports();
            let found = rows.lock_reported(conversation.id).await?;
            match decide_report_target(found.existing, found.deleted, sandbox.org_id, sandbox.id)? {
                ReportTarget::Ignore => return Ok(()),
                ReportTarget::Create => {
                    if !rows.insert_reported(&conversation.as_begun()).await? {
                        continue;
                    }
                }
                ReportTarget::Update => rows.add_started_metadata(conversation).await?,
            }
            return transaction.commit().await;
        }
        Err(DomainError::Unavailable(
            "conversation record kept conflicting".into(),
        ))
    }
}

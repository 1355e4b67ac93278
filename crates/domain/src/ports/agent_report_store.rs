use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    Conversation, DomainError, agents::agent_reports::ConversationReport, agents::sandbox::Sandbox,
    spend::budget::SpendRecorded,
};

/// What recording a report did.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportOutcome {
    /// Created or updated, with the usage it added when it added some.
    Recorded(Option<SpendRecorded>),
    /// Nothing: the conversation was deleted.
    Ignored,
}

/// Conversations and events as agent servers report them.
#[async_trait]
pub trait AgentReportStore: Send + Sync {
    /// Creates or updates the reported conversation, as
    /// [`crate::agents::sandbox_access::decide_report_target`] decides on the row read under lock: created in
    /// the sandbox's org for its creator, or updated when it is this sandbox's (title and model when
    /// reported, the status, usage raised to the reported totals, never lowered). Usage the report
    /// adds is counted against budgets in the same transaction. A deleted conversation is left
    /// alone.
    async fn record_report(
        &self,
        sandbox: &Sandbox,
        report: &ConversationReport,
        now: DateTime<Utc>,
    ) -> Result<ReportOutcome, DomainError>;

    /// Records a conversation Tenantry started on the sandbox's agent server: inserted as given, or,
    /// when the agent server's first report came first, its metadata (title, repository, branch,
    /// visibility, trigger, creator) set on the reported row.
    async fn record_started(&self, sandbox: &Sandbox, conversation: &Conversation)
    -> Result<(), DomainError>;
}

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    Conversation, ConversationId, DomainError,
    agent_reports::{ConversationReport, ReportedEvent},
    ports::{AppendedRange, EventStore},
    sandbox::Sandbox,
};

/// Conversations and events as agent servers report them.
#[async_trait]
pub trait AgentReportStore: Send + Sync {
    /// Creates or updates the reported conversation, as
    /// [`crate::sandbox_access::decide_report_target`] decides on the row read under lock: created in
    /// the sandbox's org for its creator, or updated when it is this sandbox's (title and model when
    /// reported, the status, usage raised to the reported totals, never lowered).
    async fn record_report(
        &self,
        sandbox: &Sandbox,
        report: &ConversationReport,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError>;

    /// Records a conversation Tenantry started on the sandbox's agent server: inserted as given, or,
    /// when the agent server's first report came first, its metadata (title, repository, branch,
    /// visibility, trigger, creator) set on the reported row.
    async fn record_started(&self, sandbox: &Sandbox, conversation: &Conversation)
    -> Result<(), DomainError>;

    /// Appends the events of the sandbox's conversation that were not stored before, in order, with
    /// the next dense ids: with the conversation locked, the events' ids are recorded under a unique
    /// index (the arbiter of duplicates, across deliveries and instances), the new ones are written
    /// to `sink` as one segment, and the state they carry
    /// ([`crate::agent_reports::state_change`]) is applied, in one transaction. `None` when every
    /// event had been stored already.
    async fn append_reported_events(
        &self,
        sandbox: &Sandbox,
        conversation: ConversationId,
        events: Vec<ReportedEvent>,
        now: DateTime<Utc>,
        sink: &dyn EventStore,
    ) -> Result<Option<AppendedRange>, DomainError>;
}

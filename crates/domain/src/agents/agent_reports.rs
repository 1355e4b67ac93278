//! What agent servers report through their webhooks, as the domain acts on it: a conversation's
//! title, model, status and usage, and batches of events (kept as they came) with the state each
//! one changes. The agent servers' own format is read by an adapter (`tenantry-agents`).

use serde_json::Value;

use crate::{ConversationId, conversations::conversation::Micros, spend::budget::SpendRecorded};

/// Most events in one reported batch.
pub const MAX_REPORTED_EVENTS: usize = 1000;
/// Longest event id kept for deduplication, in bytes.
pub const MAX_EVENT_KEY: usize = 128;

/// Usage totals as an agent server reports them: cumulative, so only ever raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReportedUsage {
    /// Cost so far, in micro-units.
    pub cost: Micros,
    /// Prompt tokens so far.
    pub prompt_tokens: i64,
    /// Completion tokens so far.
    pub completion_tokens: i64,
}

impl ReportedUsage {
    /// The larger of each total: a late or repeated report never lowers one.
    pub fn max(self, other: Self) -> Self {
        Self {
            cost: self.cost.max(other.cost),
            prompt_tokens: self.prompt_tokens.max(other.prompt_tokens),
            completion_tokens: self.completion_tokens.max(other.completion_tokens),
        }
    }
}

/// A conversation as an agent server reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationReport {
    /// The agent's id for it, which Tenantry keeps.
    pub id: ConversationId,
    /// Its title, once it has one.
    pub title: Option<String>,
    /// `idle`, `running`, `paused`, `finished`, `error`, `stuck`, `deleting`, …
    pub execution_status: Option<crate::conversations::execution_status::ExecutionStatus>,
    /// The agent's model.
    pub llm_model: Option<String>,
    /// Usage so far.
    pub usage: Option<ReportedUsage>,
}

impl ConversationReport {
    /// A report that only names the conversation (events arrived before the conversation did).
    pub fn naming(id: ConversationId) -> Self {
        Self {
            id,
            title: None,
            execution_status: None,
            llm_model: None,
            usage: None,
        }
    }
}

/// One reported event: its id (for deduplication), the event as it came, and what it changes on
/// its conversation (a state update carries a status or usage; most events change nothing).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportedEvent {
    /// The agent's event id.
    pub key: String,
    /// The whole event.
    pub event: Value,
    /// The status and usage it reports.
    pub state: AgentStateChange,
}

/// What a run of events changes on its conversation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgentStateChange {
    /// The last execution status among them.
    pub execution_status: Option<crate::conversations::execution_status::ExecutionStatus>,
    /// The largest usage among them.
    pub usage: Option<ReportedUsage>,
}

impl AgentStateChange {
    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.execution_status.is_none() && self.usage.is_none()
    }

    /// What a run of events changes, in order: the last status among them, the largest usage
    /// (totals are cumulative, so a late one never lowers them).
    pub fn of_run<'a>(events: impl IntoIterator<Item = &'a ReportedEvent>) -> Self {
        events.into_iter().fold(Self::default(), |change, event| Self {
            execution_status: event.state.execution_status.clone().or(change.execution_status),
            usage: match (change.usage, event.state.usage) {
                (Some(seen), Some(usage)) => Some(seen.max(usage)),
                (seen, usage) => usage.or(seen),
            },
        })
    }
}

/// What recording a report did.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportOutcome {
    /// Created or updated, with the usage it added when it added some.
    Recorded(Option<SpendRecorded>),
    /// Nothing: the conversation was deleted.
    Ignored,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversations::execution_status::ExecutionStatus;

    fn event(status: Option<&str>, usage: Option<ReportedUsage>) -> ReportedEvent {
        ReportedEvent {
            key: "k".into(),
            event: Value::Null,
            state: AgentStateChange {
                execution_status: status.and_then(ExecutionStatus::parse),
                usage,
            },
        }
    }

    fn usage(cost: Micros, prompt_tokens: i64, completion_tokens: i64) -> ReportedUsage {
        ReportedUsage {
            cost,
            prompt_tokens,
            completion_tokens,
        }
    }

    #[test]
    fn usage_only_rises() {
        assert_eq!(usage(5, 10, 1).max(usage(7, 9, 3)), usage(7, 10, 3));
    }

    #[test]
    fn a_run_keeps_the_last_status_and_the_largest_usage() {
        let run = [
            event(Some("running"), Some(usage(7, 10, 3))),
            event(None, None),
            event(Some("finished"), Some(usage(5, 12, 1))),
            event(None, None),
        ];
        let change = AgentStateChange::of_run(&run);
        assert_eq!(
            change.execution_status.map(String::from).as_deref(),
            Some("finished")
        );
        assert_eq!(change.usage, Some(usage(7, 12, 3)));
    }

    #[test]
    fn a_run_without_state_updates_changes_nothing() {
        assert!(AgentStateChange::of_run(&[event(None, None)]).is_empty());
    }
}

//! When a running sandbox is idle and is paused to free its slot: no conversation on it runs, and
//! nothing happened on it (a start, a resume, a report of any of its conversations) for the idle
//! timeout.

use chrono::{DateTime, Duration, Utc};

use crate::agents::sandbox::SandboxStatus;

/// What is known of a sandbox when deciding whether it is idle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdleFacts {
    /// Its status.
    pub status: SandboxStatus,
    /// When the status last changed (it started or resumed then).
    pub status_changed_at: DateTime<Utc>,
    /// The last change to any of its conversations (a report, an event, a message).
    pub last_conversation_activity: Option<DateTime<Utc>>,
    /// Its conversations whose agent is running now.
    pub running_conversations: u32,
}

/// Whether the sandbox is to be paused now; `timeout` `None` never pauses.
pub fn is_idle(facts: IdleFacts, now: DateTime<Utc>, timeout: Option<Duration>) -> bool {
    let Some(timeout) = timeout else {
        return false;
    };
    let last_activity = facts
        .last_conversation_activity
        .map_or(facts.status_changed_at, |activity| {
            activity.max(facts.status_changed_at)
        });
    facts.status == SandboxStatus::Running
        && facts.running_conversations == 0
        && now - last_activity >= timeout
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).expect("time")
    }

    fn facts() -> IdleFacts {
        IdleFacts {
            status: SandboxStatus::Running,
            status_changed_at: at(0),
            last_conversation_activity: None,
            running_conversations: 0,
        }
    }

    const TIMEOUT: Option<Duration> = Some(Duration::seconds(600));

    #[test]
    fn a_running_sandbox_without_activity_past_the_timeout_is_idle() {
        assert!(is_idle(facts(), at(600), TIMEOUT));
        assert!(!is_idle(facts(), at(599), TIMEOUT));
    }

    #[test]
    fn recent_conversation_activity_keeps_it_busy() {
        let recent = IdleFacts {
            last_conversation_activity: Some(at(500)),
            ..facts()
        };
        assert!(!is_idle(recent, at(900), TIMEOUT));
        assert!(is_idle(recent, at(1100), TIMEOUT));
    }

    #[test]
    fn a_running_conversation_keeps_it_busy() {
        let busy = IdleFacts {
            running_conversations: 1,
            ..facts()
        };
        assert!(!is_idle(busy, at(100_000), TIMEOUT));
    }

    #[test]
    fn only_running_sandboxes_idle() {
        for status in [
            SandboxStatus::Starting,
            SandboxStatus::Paused,
            SandboxStatus::Error,
        ] {
            assert!(!is_idle(IdleFacts { status, ..facts() }, at(100_000), TIMEOUT));
        }
    }

    #[test]
    fn no_timeout_never_pauses() {
        assert!(!is_idle(facts(), at(100_000), None));
    }
}

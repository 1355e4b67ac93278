//! How a sandbox Tenantry runs moves between its states: what a member's pause or resume does,
//! and what Tenantry concludes from what its runtime sees.

use chrono::{DateTime, Duration, Utc};

use crate::{DomainError, agents::sandbox::SandboxStatus};

/// What a member asks of a sandbox Tenantry runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxRequest {
    /// Stop it and keep its workspace.
    Pause,
    /// Start it again on its workspace.
    Resume,
}

/// The status a request moves the sandbox to, or `None` when it is there already (asking twice is
/// fine). Pausing a sandbox that is not running (it failed, or vanished) is 409
/// `sandbox_not_running`: there is nothing to pause, resume it instead.
pub fn decide_request(
    current: SandboxStatus,
    request: SandboxRequest,
) -> Result<Option<SandboxStatus>, DomainError> {
    use SandboxStatus::*;
    match (request, current) {
        (SandboxRequest::Pause, Starting | Running) => Ok(Some(Paused)),
        (SandboxRequest::Pause, Paused) => Ok(None),
        (SandboxRequest::Pause, Error | Missing) => Err(DomainError::conflict(
            "sandbox_not_running",
            format!(
                "The sandbox is {}: there is nothing to pause. Resume it to start it again.",
                current.name()
            ),
        )),
        (SandboxRequest::Resume, Paused | Error | Missing) => Ok(Some(Starting)),
        (SandboxRequest::Resume, Starting | Running) => Ok(None),
    }
}

/// What the runtime sees of a sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuntimeObservation {
    /// Its agent server answers.
    Answering,
    /// It runs, but its agent server does not answer (yet).
    Silent,
    /// Nothing of it runs.
    Gone,
}

/// When an observation is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObservedWhen {
    /// While Tenantry runs: a sandbox that is gone stopped on its own.
    Running,
    /// At Tenantry's start: a sandbox that is gone vanished while Tenantry was away.
    AtStart,
}

/// The status an observation moves a sandbox to, if any: a started one that answers is running;
/// one that stays silent past `start_timeout` failed; a starting or running one that is gone
/// failed (`ERROR`), or vanished (`MISSING`) when found gone at Tenantry's start. Paused, failed
/// and missing sandboxes change only when a member asks.
pub fn decide_observation(
    current: SandboxStatus,
    status_changed_at: DateTime<Utc>,
    seen: RuntimeObservation,
    when: ObservedWhen,
    now: DateTime<Utc>,
    start_timeout: Duration,
) -> Option<SandboxStatus> {
    use SandboxStatus::*;
    match (current, seen) {
        (Starting, RuntimeObservation::Answering) => Some(Running),
        (Starting, RuntimeObservation::Silent) => (now - status_changed_at > start_timeout).then_some(Error),
        (Starting | Running, RuntimeObservation::Gone) => Some(match when {
            ObservedWhen::Running => Error,
            ObservedWhen::AtStart => Missing,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SandboxStatus::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).expect("time")
    }

    fn observe(
        current: SandboxStatus,
        seen: RuntimeObservation,
        when: ObservedWhen,
        after: i64,
    ) -> Option<SandboxStatus> {
        decide_observation(current, at(0), seen, when, at(after), Duration::seconds(60))
    }

    #[test]
    fn pausing_a_live_sandbox_pauses_it() {
        assert_eq!(
            decide_request(Running, SandboxRequest::Pause).expect("allowed"),
            Some(Paused)
        );
        assert_eq!(
            decide_request(Starting, SandboxRequest::Pause).expect("allowed"),
            Some(Paused)
        );
    }

    #[test]
    fn pausing_twice_changes_nothing() {
        assert_eq!(
            decide_request(Paused, SandboxRequest::Pause).expect("allowed"),
            None
        );
    }

    #[test]
    fn a_failed_or_missing_sandbox_cannot_be_paused() {
        for status in [Error, Missing] {
            let refused = decide_request(status, SandboxRequest::Pause).expect_err("refused");
            assert!(matches!(
                refused,
                DomainError::Conflict {
                    code: "sandbox_not_running",
                    ..
                }
            ));
        }
    }

    #[test]
    fn resuming_starts_a_stopped_sandbox_again() {
        for status in [Paused, Error, Missing] {
            assert_eq!(
                decide_request(status, SandboxRequest::Resume).expect("allowed"),
                Some(Starting)
            );
        }
    }

    #[test]
    fn resuming_a_live_sandbox_changes_nothing() {
        for status in [Starting, Running] {
            assert_eq!(
                decide_request(status, SandboxRequest::Resume).expect("allowed"),
                None
            );
        }
    }

    #[test]
    fn a_starting_sandbox_that_answers_is_running() {
        assert_eq!(
            observe(Starting, RuntimeObservation::Answering, ObservedWhen::Running, 1),
            Some(Running)
        );
    }

    #[test]
    fn a_silent_start_fails_only_after_the_timeout() {
        assert_eq!(
            observe(Starting, RuntimeObservation::Silent, ObservedWhen::Running, 59),
            None
        );
        assert_eq!(
            observe(Starting, RuntimeObservation::Silent, ObservedWhen::Running, 61),
            Some(Error)
        );
    }

    #[test]
    fn a_process_gone_while_tenantry_runs_is_an_error() {
        assert_eq!(
            observe(Running, RuntimeObservation::Gone, ObservedWhen::Running, 1),
            Some(Error)
        );
        assert_eq!(
            observe(Starting, RuntimeObservation::Gone, ObservedWhen::Running, 1),
            Some(Error)
        );
    }

    #[test]
    fn a_process_gone_at_start_is_missing() {
        assert_eq!(
            observe(Running, RuntimeObservation::Gone, ObservedWhen::AtStart, 1),
            Some(Missing)
        );
    }

    #[test]
    fn stopped_sandboxes_change_only_when_asked() {
        for status in [Paused, Error, Missing] {
            for seen in [
                RuntimeObservation::Answering,
                RuntimeObservation::Silent,
                RuntimeObservation::Gone,
            ] {
                assert_eq!(observe(status, seen, ObservedWhen::Running, 1000), None);
            }
        }
    }
}

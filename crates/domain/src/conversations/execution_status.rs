//! A conversation's execution status as its agent reports it (`idle`, `running`, `paused`,
//! `finished`, `error`, `stuck`, `deleting`, …): a short lowercase word, kept as reported so a status
//! new upstream needs no change here. Only `running` means something to Tenantry: a sandbox with a
//! running conversation is not idle.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// An execution status: 1 to 32 lowercase ASCII letters and underscores.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ExecutionStatus(String);

impl ExecutionStatus {
    /// Longest status, in bytes.
    pub const MAX_LEN: usize = 32;
    /// The status of a conversation whose agent is working.
    pub const RUNNING: &'static str = "running";
    /// The status of a conversation waiting for a message.
    pub const IDLE: &'static str = "idle";

    /// The status `raw` spells, if it is one.
    pub fn parse(raw: &str) -> Option<Self> {
        let valid = !raw.is_empty()
            && raw.len() <= Self::MAX_LEN
            && raw.chars().all(|c| c.is_ascii_lowercase() || c == '_');
        valid.then(|| Self(raw.to_owned()))
    }

    /// The status `raw` spells; 422 on `field` otherwise.
    pub fn parse_field(field: &str, raw: &str) -> Result<Self, DomainError> {
        Self::parse(raw)
            .ok_or_else(|| DomainError::invalid(field, "must be a status such as running or finished"))
    }

    /// `idle`: a new conversation's status.
    pub fn idle() -> Self {
        Self(Self::IDLE.to_owned())
    }

    /// The status as reported.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the agent is working.
    pub fn is_running(&self) -> bool {
        self.0 == Self::RUNNING
    }
}

impl std::ops::Deref for ExecutionStatus {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ExecutionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ExecutionStatus {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw).ok_or_else(|| format!("{raw:?} is not an execution status"))
    }
}

impl From<ExecutionStatus> for String {
    fn from(status: ExecutionStatus) -> Self {
        status.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_short_lowercase_words() {
        assert!(ExecutionStatus::parse("waiting_for_confirmation").is_some());
        for refused in ["", "Running", "run ning", "a-b", &"x".repeat(33)] {
            assert!(ExecutionStatus::parse(refused).is_none(), "{refused:?}");
        }
    }

    #[test]
    fn only_running_is_running() {
        assert!(ExecutionStatus::parse("running").unwrap().is_running());
        assert!(!ExecutionStatus::idle().is_running());
    }
}

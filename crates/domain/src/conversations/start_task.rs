//! Starting a conversation as OpenHands clients ask for it (`POST /app-conversations`): a task
//! that is answered at once and moves on by itself — a sandbox is found or started, waited for,
//! and the conversation started on it — until it is `READY` (with the conversation's id) or
//! `ERROR` (with why).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{ConversationId, DomainError, OrgId, UserId, agents::agent_launch::MAX_MESSAGE_CHARS};

/// Where a start task stands, named as OpenHands names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartTaskStatus {
    /// Accepted; nothing done yet.
    Working,
    /// A sandbox is being started or awaited.
    WaitingForSandbox,
    /// The agent server is being asked to start the conversation.
    StartingConversation,
    /// The conversation runs.
    Ready,
    /// It could not be started (see the task's `detail`).
    Error,
}

impl StartTaskStatus {
    /// The stored and wire name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Working => "WORKING",
            Self::WaitingForSandbox => "WAITING_FOR_SANDBOX",
            Self::StartingConversation => "STARTING_CONVERSATION",
            Self::Ready => "READY",
            Self::Error => "ERROR",
        }
    }

    /// Reads a stored name back.
    pub fn parse(stored: &str) -> Option<Self> {
        [
            Self::Working,
            Self::WaitingForSandbox,
            Self::StartingConversation,
            Self::Ready,
            Self::Error,
        ]
        .into_iter()
        .find(|status| status.name() == stored)
    }

    /// Whether the task is over.
    pub fn finished(self) -> bool {
        matches!(self, Self::Ready | Self::Error)
    }
}

/// What a client asks to start.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StartRequest {
    /// The sandbox to start on (one of the caller's); `None`: a new one is started.
    pub sandbox_id: Option<Uuid>,
    /// The first user message, if any (the agent runs on it).
    pub initial_message: Option<String>,
    /// Whether the agent runs on it (OpenHands' `initial_message.run`).
    pub run: bool,
    /// Title.
    pub title: Option<String>,
    /// Repository.
    pub selected_repository: Option<String>,
    /// Branch.
    pub selected_branch: Option<String>,
    /// The org may read it (OpenHands' `public`).
    pub public: bool,
}

impl StartRequest {
    /// Checks what can be checked before anything starts: a first message, when there is one, of
    /// 1 to 100,000 characters.
    pub fn checked(self) -> Result<Self, DomainError> {
        if let Some(text) = &self.initial_message
            && (text.trim().is_empty() || text.chars().count() > MAX_MESSAGE_CHARS)
        {
            return Err(DomainError::invalid(
                "initial_message",
                "needs a text of 1 to 100000 characters",
            ));
        }
        Ok(self)
    }
}

/// A start task.
#[derive(Debug, Clone, PartialEq)]
pub struct StartTask {
    /// Identifier.
    pub id: Uuid,
    /// The org it starts in.
    pub org_id: OrgId,
    /// Who asked.
    pub created_by: UserId,
    /// Where it stands.
    pub status: StartTaskStatus,
    /// Why it failed, for a human.
    pub detail: Option<String>,
    /// The conversation, once `READY`.
    pub conversation_id: Option<ConversationId>,
    /// The sandbox it runs on, once known.
    pub sandbox_id: Option<Uuid>,
    /// The request, as asked (it holds no secret).
    pub request: serde_json::Value,
    /// When asked.
    pub created_at: DateTime<Utc>,
    /// When it last moved.
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_two_are_final() {
        for status in [
            StartTaskStatus::Working,
            StartTaskStatus::WaitingForSandbox,
            StartTaskStatus::StartingConversation,
            StartTaskStatus::Ready,
            StartTaskStatus::Error,
        ] {
            assert_eq!(StartTaskStatus::parse(status.name()), Some(status));
            assert_eq!(
                status.finished(),
                matches!(status, StartTaskStatus::Ready | StartTaskStatus::Error)
            );
        }
    }

    #[test]
    fn a_first_message_is_optional_but_never_empty() {
        assert!(StartRequest::default().checked().is_ok());
        let empty = StartRequest {
            initial_message: Some("  ".into()),
            ..StartRequest::default()
        };
        assert!(empty.checked().is_err());
        let request = StartRequest {
            initial_message: Some("hi".into()),
            ..StartRequest::default()
        };
        assert!(request.checked().is_ok());
    }
}

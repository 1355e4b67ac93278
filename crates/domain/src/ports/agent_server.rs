use async_trait::async_trait;

use crate::{
    ConversationId, SecretString, agents::agent_launch::Launch, agents::outbound_policy::OutboundRefusal,
};

/// Why a call to an agent server did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentServerFailure {
    /// It could not be reached, timed out, or answered 5xx.
    Unavailable,
    /// It refused the request (4xx). What it said is logged, never passed on: it may come from
    /// any service at that address.
    Rejected {
        /// Its status.
        status: u16,
    },
    /// Its address is not one the outbound policy lets Tenantry call (its name resolves to a
    /// refused address); nothing was sent.
    Refused(OutboundRefusal),
}

/// An OpenHands agent server's REST API, called with the sandbox's session key
/// (`X-Session-API-Key`).
#[async_trait]
pub trait AgentServer: Send + Sync {
    /// Resolves the base URL's host and checks every address against the outbound policy, sending
    /// nothing.
    async fn check_destination(&self, base_url: &str) -> Result<(), AgentServerFailure>;

    /// `POST {base}/api/conversations`: starts the conversation `launch` describes.
    async fn start_conversation(
        &self,
        base_url: &str,
        key: &SecretString,
        launch: &Launch,
    ) -> Result<(), AgentServerFailure>;

    /// `POST {base}/api/conversations/{id}/events` with a user message, running the agent.
    async fn send_message(
        &self,
        base_url: &str,
        key: &SecretString,
        conversation: ConversationId,
        text: &str,
    ) -> Result<(), AgentServerFailure>;

    /// `POST {base}/api/conversations/{id}/pause`.
    async fn pause(
        &self,
        base_url: &str,
        key: &SecretString,
        conversation: ConversationId,
    ) -> Result<(), AgentServerFailure>;

    /// `POST {base}/api/conversations/{id}/run` (a conversation already running is fine).
    async fn run(
        &self,
        base_url: &str,
        key: &SecretString,
        conversation: ConversationId,
    ) -> Result<(), AgentServerFailure>;

    /// `DELETE {base}/api/conversations/{id}`.
    async fn delete_conversation(
        &self,
        base_url: &str,
        key: &SecretString,
        conversation: ConversationId,
    ) -> Result<(), AgentServerFailure>;
}

//! What starting a conversation on an agent server carries: the caller's effective settings in the
//! org, the first message, and the secrets offered. Secrets are never sent: each is offered by name
//! and URL, and the sandbox fetches its value from Tenantry with its own session key when it needs
//! it. The [`crate::ports::AgentServer`] adapter writes this in the agent server's own format.

use crate::{ConversationId, SecretString};

/// The LLM and agent settings a conversation runs with (effective for its creator in the org).
#[derive(Debug, Clone, Default)]
pub struct LaunchSettings {
    /// LiteLLM model name (`openai/gpt-4o`, …).
    pub llm_model: Option<String>,
    /// Base URL of the LLM API.
    pub llm_base_url: Option<String>,
    /// The LLM key: the member's own unless locked, else the org's. Decrypted in memory only.
    pub llm_api_key: Option<SecretString>,
    /// Most agent iterations.
    pub max_iterations: Option<i64>,
    /// Ask before actions.
    pub confirmation_mode: bool,
    /// With confirmation mode, let an analyzer decide which actions are risky (`llm`).
    pub security_analyzer: Option<String>,
}

/// A secret the sandbox may look up: its name and the URL it is served at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretLookup {
    /// The secret's name (an environment variable in the sandbox).
    pub name: String,
    /// Where the sandbox fetches its value.
    pub url: String,
}

/// What starting one conversation needs.
#[derive(Debug, Clone)]
pub struct Launch {
    /// The conversation's id, chosen by Tenantry and kept by the agent server.
    pub conversation_id: ConversationId,
    /// Effective settings.
    pub settings: LaunchSettings,
    /// The first user message (the agent runs on it); none: the conversation waits for one.
    pub initial_message: Option<String>,
    /// Whether the agent runs on the first message (else it waits for `run` or another message).
    pub run_initial_message: bool,
    /// Secrets to offer, fetched with the sandbox's key.
    pub secrets: Vec<SecretLookup>,
    /// The sandbox's session key, which the lookups present.
    pub sandbox_key: SecretString,
    /// Working directory inside the sandbox.
    pub working_dir: String,
}

/// Longest initial message or follow-up, in characters.
pub const MAX_MESSAGE_CHARS: usize = 100_000;

//! [`AgentServer`] over HTTP: an OpenHands agent server's REST API (1.58), called with the sandbox's
//! session key in `X-Session-API-Key`.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tenantry_domain::{
    ConversationId, SecretString,
    ports::{AgentServer, AgentServerFailure},
};

/// Longest explanation kept from an agent server's refusal.
const MAX_DETAIL: usize = 500;

/// The HTTP client for agent servers.
#[derive(Debug, Clone)]
pub struct HttpAgentServer {
    client: reqwest::Client,
}

impl HttpAgentServer {
    /// A client whose calls give up after `timeout` (starting a conversation answers at once; the
    /// agent runs afterwards).
    pub fn new(timeout: Duration) -> Self {
        Self {
            client: reqwest::Client::builder()
                .timeout(timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default(),
        }
    }

    async fn call(
        &self,
        method: Method,
        url: String,
        key: &SecretString,
        body: Option<&Value>,
    ) -> Result<Value, AgentServerFailure> {
        let mut request = self
            .client
            .request(method, &url)
            .header("X-Session-API-Key", key.expose());
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|error| {
            let error = error.without_url();
            let mut cause = error.to_string();
            let mut source = std::error::Error::source(&error);
            while let Some(inner) = source {
                cause.push_str(": ");
                cause.push_str(&inner.to_string());
                source = inner.source();
            }
            tracing::warn!(error = %cause, "agent server unreachable");
            AgentServerFailure::Unavailable
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(response.json().await.unwrap_or(Value::Null));
        }
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS || status.is_redirection() {
            tracing::warn!(status = status.as_u16(), "agent server failed");
            return Err(AgentServerFailure::Unavailable);
        }
        let text = response.text().await.unwrap_or_default();
        let detail = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|body| body.get("detail").map(Value::to_string))
            .unwrap_or(text)
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_DETAIL)
            .collect();
        Err(AgentServerFailure::Rejected {
            status: status.as_u16(),
            detail,
        })
    }
}

fn conversation_url(base_url: &str, conversation: ConversationId, action: &str) -> String {
    format!(
        "{}/api/conversations/{conversation}{action}",
        base_url.trim_end_matches('/')
    )
}

#[async_trait]
impl AgentServer for HttpAgentServer {
    async fn start_conversation(
        &self,
        base_url: &str,
        key: &SecretString,
        request: &Value,
    ) -> Result<Value, AgentServerFailure> {
        let url = format!("{}/api/conversations", base_url.trim_end_matches('/'));
        self.call(Method::POST, url, key, Some(request)).await
    }

    async fn send_message(
        &self,
        base_url: &str,
        key: &SecretString,
        conversation: ConversationId,
        message: &Value,
    ) -> Result<(), AgentServerFailure> {
        let url = conversation_url(base_url, conversation, "/events");
        self.call(Method::POST, url, key, Some(message)).await.map(drop)
    }

    async fn pause(
        &self,
        base_url: &str,
        key: &SecretString,
        conversation: ConversationId,
    ) -> Result<(), AgentServerFailure> {
        let url = conversation_url(base_url, conversation, "/pause");
        self.call(Method::POST, url, key, None).await.map(drop)
    }

    async fn run(
        &self,
        base_url: &str,
        key: &SecretString,
        conversation: ConversationId,
    ) -> Result<(), AgentServerFailure> {
        let url = conversation_url(base_url, conversation, "/run");
        match self.call(Method::POST, url, key, None).await {
            // Already running is what was asked for.
            Err(AgentServerFailure::Rejected { status: 409, .. }) => Ok(()),
            other => other.map(drop),
        }
    }

    async fn delete_conversation(
        &self,
        base_url: &str,
        key: &SecretString,
        conversation: ConversationId,
    ) -> Result<(), AgentServerFailure> {
        let url = conversation_url(base_url, conversation, "");
        self.call(Method::DELETE, url, key, None).await.map(drop)
    }
}

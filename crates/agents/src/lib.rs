//! [`AgentServer`] over HTTP: an OpenHands agent server's REST API (1.58), called with the sandbox's
//! session key in `X-Session-API-Key`.

mod capped_body;
mod policy_resolver;
pub mod start_request;
pub mod webhook_reports;

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tenantry_domain::{
    ConversationId, SecretString,
    agent_launch::Launch,
    outbound_policy::OutboundPolicy,
    ports::{AgentServer, AgentServerFailure},
};

use crate::{
    capped_body::{BodyError, read_capped},
    policy_resolver::{PolicyResolver, refusal_in},
    start_request::{start_request, user_message},
};

/// Longest explanation from an agent server's refusal kept in the log.
const MAX_LOGGED_DETAIL: usize = 500;

/// How the client calls agent servers.
#[derive(Debug, Clone)]
pub struct AgentClientSettings {
    /// Longest wait for a whole call, answer included (starting a conversation answers at once;
    /// the agent runs afterwards).
    pub timeout: Duration,
    /// Longest wait for a connection.
    pub connect_timeout: Duration,
    /// Largest answer read; a longer one fails the call.
    pub max_response_bytes: usize,
    /// Where calls may go: every address a host resolves to is checked.
    pub policy: OutboundPolicy,
}

/// The HTTP client for agent servers.
#[derive(Debug, Clone)]
pub struct HttpAgentServer {
    client: reqwest::Client,
    policy: Arc<OutboundPolicy>,
    max_response_bytes: usize,
}

impl HttpAgentServer {
    /// A client with the given limits and outbound policy (no redirects, no proxy: the policy
    /// judges the address actually connected to).
    pub fn new(settings: AgentClientSettings) -> Self {
        let policy = Arc::new(settings.policy);
        Self {
            client: reqwest::Client::builder()
                .timeout(settings.timeout)
                .connect_timeout(settings.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .dns_resolver(PolicyResolver {
                    policy: policy.clone(),
                })
                .build()
                .unwrap_or_default(),
            policy,
            max_response_bytes: settings.max_response_bytes,
        }
    }

    async fn call(
        &self,
        method: Method,
        url: String,
        key: &SecretString,
        body: Option<&Value>,
    ) -> Result<Value, AgentServerFailure> {
        // Address literals never reach the resolver: they are judged here.
        self.check_literal(&url)?;
        let mut request = self
            .client
            .request(method, &url)
            .header("X-Session-API-Key", key.expose());
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|error| {
            if let Some(refusal) = refusal_in(&error) {
                tracing::warn!(reason = %refusal, "agent server address refused");
                return AgentServerFailure::Refused(refusal);
            }
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
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS || status.is_redirection() {
            tracing::warn!(status = status.as_u16(), "agent server failed");
            return Err(AgentServerFailure::Unavailable);
        }
        let body = match read_capped(response, self.max_response_bytes).await {
            Ok(body) => body,
            Err(BodyError::TooLarge) => {
                tracing::warn!(
                    status = status.as_u16(),
                    cap = self.max_response_bytes,
                    "agent server answer longer than agents.max_response_bytes; abandoned"
                );
                return Err(AgentServerFailure::Unavailable);
            }
            Err(BodyError::Transport(error)) => {
                tracing::warn!(error = %error.without_url(), "agent server answer not read");
                return Err(AgentServerFailure::Unavailable);
            }
        };
        if status.is_success() {
            return Ok(serde_json::from_slice(&body).unwrap_or(Value::Null));
        }
        // Whatever answered may be any service at that address: its words go to the log only.
        let detail: String = String::from_utf8_lossy(&body)
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_LOGGED_DETAIL)
            .collect();
        tracing::warn!(
            status = status.as_u16(),
            detail,
            "agent server refused the request"
        );
        Err(AgentServerFailure::Rejected {
            status: status.as_u16(),
        })
    }

    fn check_literal(&self, url: &str) -> Result<(), AgentServerFailure> {
        let Ok(parsed) = reqwest::Url::parse(url) else {
            return Err(AgentServerFailure::Unavailable);
        };
        let literal = match parsed.host() {
            Some(url::Host::Ipv4(v4)) => Some(std::net::IpAddr::V4(v4)),
            Some(url::Host::Ipv6(v6)) => Some(std::net::IpAddr::V6(v6)),
            _ => None,
        };
        match literal {
            Some(address) => self
                .policy
                .check_address(address)
                .map_err(AgentServerFailure::Refused),
            None => Ok(()),
        }
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
    async fn check_destination(&self, base_url: &str) -> Result<(), AgentServerFailure> {
        self.check_literal(base_url)?;
        let host = reqwest::Url::parse(base_url)
            .ok()
            .and_then(|url| match url.host() {
                Some(url::Host::Domain(name)) => Some(name.to_owned()),
                _ => None,
            });
        let Some(host) = host else {
            return Ok(());
        };
        match PolicyResolver::lookup(&self.policy, &host).await {
            Ok(_) => Ok(()),
            Err(error) => match refusal_in(error.as_ref()) {
                Some(refusal) => Err(AgentServerFailure::Refused(refusal)),
                None => Err(AgentServerFailure::Unavailable),
            },
        }
    }

    async fn start_conversation(
        &self,
        base_url: &str,
        key: &SecretString,
        launch: &Launch,
    ) -> Result<(), AgentServerFailure> {
        let url = format!("{}/api/conversations", base_url.trim_end_matches('/'));
        self.call(Method::POST, url, key, Some(&start_request(launch)))
            .await
            .map(drop)
    }

    async fn send_message(
        &self,
        base_url: &str,
        key: &SecretString,
        conversation: ConversationId,
        text: &str,
    ) -> Result<(), AgentServerFailure> {
        let url = conversation_url(base_url, conversation, "/events");
        let mut message = user_message(text);
        message["run"] = Value::Bool(true);
        self.call(Method::POST, url, key, Some(&message)).await.map(drop)
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
            Err(AgentServerFailure::Rejected { status: 409 }) => Ok(()),
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

use async_trait::async_trait;
use uuid::Uuid;

use crate::{SecretString, agents::sandbox_lifecycle::RuntimeObservation, agents::sandbox_spec::SandboxSpec};

/// Everything a runtime needs to start (or start again) one sandbox's agent server.
#[derive(Debug, Clone)]
pub struct SandboxLaunch {
    /// The sandbox (a runtime names what it runs after it, so it can list them).
    pub sandbox_id: Uuid,
    /// What to run, where the agent works and the environment it starts with.
    pub spec: SandboxSpec,
    /// The key its agent server accepts (`OH_SESSION_API_KEYS_0`) and reports with.
    pub session_key: SecretString,
    /// The key its agent server encrypts what it stores with (`OH_SECRET_KEY`); the same on every
    /// start of one sandbox.
    pub agent_secret_key: SecretString,
    /// Where its agent server posts webhooks (`OH_WEBHOOKS_0_BASE_URL`).
    pub webhook_base_url: String,
}

/// An address a started sandbox serves on, as OpenHands lists them (`AGENT_SERVER`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposedUrl {
    /// What answers there (`AGENT_SERVER`).
    pub name: String,
    /// Where a client reaches it.
    pub url: String,
    /// Its port.
    pub port: u16,
}

/// The name of the agent server's exposed URL.
pub const AGENT_SERVER: &str = "AGENT_SERVER";

/// Why a runtime could not do what it was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("sandbox runtime: {0}")]
pub struct RuntimeFailure(pub String);

/// Runs sandboxes: starts agent servers, tells what it sees of them, stops and removes them. The
/// lifecycle (states, limits, who may ask) is decided by the domain; a runtime only runs things.
///
/// A process runtime maps a sandbox to a supervised process and a directory; a container runtime
/// to a container and a volume (pause: stop the container, keep the volume); Kubernetes to a pod and
/// a persistent volume claim (pause: delete the pod, keep the claim).
#[async_trait]
pub trait SandboxRuntime: Send + Sync {
    /// Starts the sandbox's agent server, on the workspace it kept when it ran before; returns
    /// where it serves. It may not answer yet: [`SandboxRuntime::observe`] says when it does.
    async fn start(&self, launch: &SandboxLaunch) -> Result<Vec<ExposedUrl>, RuntimeFailure>;

    /// What runs of the sandbox now.
    async fn observe(&self, sandbox: Uuid) -> RuntimeObservation;

    /// Waits until the sandbox's agent server answers, nothing of it runs any more, or `within`
    /// passes; what it sees then.
    async fn await_answering(&self, sandbox: Uuid, within: std::time::Duration) -> RuntimeObservation;

    /// Where a sandbox that runs serves (empty when nothing runs).
    async fn exposed_urls(&self, sandbox: Uuid) -> Vec<ExposedUrl>;

    /// Stops the sandbox's agent server (and everything it started) and keeps its workspace.
    /// Stopping what does not run is fine.
    async fn stop(&self, sandbox: Uuid) -> Result<(), RuntimeFailure>;

    /// Stops the sandbox and removes its workspace. Removing what is not there is fine.
    async fn remove(&self, sandbox: Uuid) -> Result<(), RuntimeFailure>;

    /// Every sandbox it holds anything of (running, or a kept workspace): what Tenantry compares
    /// with its records after a restart, to stop and remove what no record claims.
    async fn list(&self) -> Result<Vec<Uuid>, RuntimeFailure>;
}

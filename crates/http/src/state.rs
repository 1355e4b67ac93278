use std::{io, sync::Arc};

use bytes::Bytes;
use tenantry_domain::{
    UserId,
    ports::ExportSink,
    services::{
        AgentRunService, ApiKeyService, BillingService, BudgetService, ConversationService, ExportService,
        IdentityService, OrgService, RateLimitService, ReadinessService, SandboxService, SecretService,
        SettingsService, SsoService,
    },
};
use tokio::sync::mpsc;

/// Makes the sink an org export is written to, sending the archive's bytes to the channel given.
pub type ExportSinkFactory =
    Arc<dyn Fn(mpsc::Sender<io::Result<Bytes>>) -> io::Result<Box<dyn ExportSink>> + Send + Sync>;

/// How callers are identified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// Bearer tokens (access JWTs).
    Password,
    /// Single-user self-hosted mode: every request acts as this user.
    None {
        /// The local user.
        user_id: UserId,
    },
}

/// The services handlers call, shared by every worker.
#[derive(Clone)]
pub struct AppState {
    /// Decides `/readyz`.
    pub readiness: ReadinessService,
    /// Accounts and sessions.
    pub identity: IdentityService,
    /// Orgs, members, invitations, audit.
    pub orgs: OrgService,
    /// Conversations, events, usage.
    pub conversations: ConversationService,
    /// Org settings, overrides, preferences.
    pub settings: SettingsService,
    /// Secrets.
    pub secrets: SecretService,
    /// API keys.
    pub api_keys: ApiKeyService,
    /// Sandboxes and the webhooks their agent servers post.
    pub sandboxes: SandboxService,
    /// Conversations run on agent servers Tenantry drives.
    pub agent_runs: AgentRunService,
    /// Members' named LLM profiles.
    pub llm_profiles: tenantry_domain::services::LlmProfileService,
    /// Devices signed in with the OAuth 2.0 device grant.
    pub device_flow: tenantry_domain::services::DeviceFlowService,
    /// Conversations started as tasks (OpenHands' start tasks).
    pub conversation_starts: tenantry_domain::services::ConversationStartService,
    /// Rate limits of authenticated requests.
    pub rate_limits: RateLimitService,
    /// Budgets and usage.
    pub budgets: BudgetService,
    /// Credits, checkouts and payment events.
    pub billing: BillingService,
    /// Single sign-on and orgs' sign-in policies.
    pub sso: SsoService,
    /// The operator API: superadmins' reads and actions across the install.
    pub operators: tenantry_domain::services::OperatorService,
    /// Org exports.
    pub export: ExportService,
    /// The archive format exports are written in.
    pub export_sink: ExportSinkFactory,
    /// How callers are identified.
    pub auth_mode: AuthMode,
    /// Proxies whose `Forwarded`/`X-Forwarded-For` entries are believed.
    pub trusted_proxies: crate::TrustedProxies,
    /// Live event streams: heartbeats and per-user bounds.
    pub streams: crate::StreamLimits,
    /// Base URL links handed out start with (share links).
    pub public_url: String,
    /// Whether members can buy credits here (a payment provider is configured).
    pub billing_enabled: bool,
}

//! Every use-case service, by name. Each lives in its area (`crate::identity::services`,
//! `crate::orgs::services`, …); this module gathers them for the crates that wire them.

mod readiness;
mod sweeps;

pub use crate::agents::services::{agent_runs, sandbox_lifecycle, sandboxes};
pub use crate::conversations::services::{conversation_starts, conversations};
pub use crate::identity::services::{admin, api_keys, identity, operator};
pub use crate::orgs::services::orgs;
pub use crate::secrets::services::secrets;
pub use crate::settings::services::{llm_profiles, settings};
pub use crate::sign_in::services::{device_flow, sso};
pub use crate::spend::services::{billing, budgets};

pub use crate::agents::services::agent_runs::{AgentRunPorts, AgentRunService};
pub use crate::agents::services::sandbox_lifecycle::{ProvisionInput, SandboxRuntimeSetup, SandboxView};
pub use crate::agents::services::sandboxes::{SandboxPorts, SandboxService};
pub use crate::conversations::services::conversation_starts::{
    ConversationStartPorts, ConversationStartService,
};
pub use crate::conversations::services::conversations::{ConversationPorts, ConversationService};
pub use crate::conversations::services::orphan_sweep::OrphanSweep;
pub use crate::conversations::services::purge::EventPurger;
pub use crate::conversations::services::retention::RetentionService;
pub use crate::identity::services::admin::{AdminPorts, AdminService};
pub use crate::identity::services::api_keys::{ApiKeyPorts, ApiKeyService};
pub use crate::identity::services::identity::{IdentityPorts, IdentityService, IdentitySettings};
pub use crate::identity::services::operator::{OperatorPorts, OperatorService, OrgAtAGlance};
pub use crate::orgs::services::orgs::{OrgPorts, OrgService, OrgSettings};
pub use crate::porting::services::export::{ExportPorts, ExportService};
pub use crate::porting::services::import::{ImportPorts, ImportService, ImportSummary};
pub use crate::secrets::services::secrets::{SecretPorts, SecretService};
pub use crate::settings::services::llm_profiles::{LlmProfilePorts, LlmProfileService};
pub use crate::settings::services::settings::{SettingsPorts, SettingsService};
pub use crate::sign_in::services::device_flow::{DeviceFlowPorts, DeviceFlowService};
pub use crate::sign_in::services::sso::{SsoPorts, SsoService, SsoSettings};
pub use crate::spend::services::billing::{BillingPorts, BillingService};
pub use crate::spend::services::budgets::{BudgetPorts, BudgetService};
pub use crate::spend::services::rate_limits::RateLimitService;
pub use readiness::{ProbeReport, ReadinessService};
pub use sweeps::SweepService;

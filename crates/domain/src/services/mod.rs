//! Use-case services: they decide, the ports carry out.

pub mod admin;
pub mod agent_runs;
pub mod api_keys;
pub mod billing;
pub mod budgets;
pub mod conversations;
mod export;
pub mod identity;
mod import;
pub mod orgs;
mod purge;
mod rate_limits;
mod readiness;
mod retention;
pub mod sandboxes;
pub mod secrets;
pub mod settings;
pub mod sso;

pub use admin::{AdminPorts, AdminService};
pub use agent_runs::{AgentRunPorts, AgentRunService};
pub use api_keys::{ApiKeyPorts, ApiKeyService};
pub use billing::{BillingPorts, BillingService};
pub use budgets::{BudgetPorts, BudgetService};
pub use conversations::{ConversationPorts, ConversationService};
pub use export::{ExportPorts, ExportService};
pub use identity::{IdentityPorts, IdentityService, IdentitySettings};
pub use import::{ImportPorts, ImportService, ImportSummary};
pub use orgs::{OrgPorts, OrgService, OrgSettings};
pub use purge::EventPurger;
pub use rate_limits::RateLimitService;
pub use readiness::{ProbeReport, ReadinessService};
pub use retention::RetentionService;
pub use sandboxes::{SandboxPorts, SandboxService};
pub use secrets::{SecretPorts, SecretService};
pub use settings::{SettingsPorts, SettingsService};
pub use sso::{SsoPorts, SsoService, SsoSettings};

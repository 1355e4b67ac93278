//! The ports: what the domain needs from the outside world, as traits adapters implement.
//!
//! Ports are used as `Arc<dyn Port>` so adapters are chosen at run time from configuration.

mod access_tokens;
mod agent_report_store;
mod agent_server;
mod background;
mod conversation_start_policy;
mod conversation_store;
mod event_store;
mod identity_store;
mod login_throttle;
mod mailer;
mod org_store;
mod password_hasher;
mod probe;
mod remote_deletions;
mod sandbox_store;
mod secret_ports;
mod secret_tokens;

pub use access_tokens::AccessTokens;
pub use agent_report_store::AgentReportStore;
pub use agent_server::{AgentServer, AgentServerFailure};
pub use background::{BackgroundTask, BackgroundTasks};
pub use conversation_start_policy::{AllowAllConversations, ConversationStartPolicy};
pub use conversation_store::{
    AppendedRange, ConversationCursor, ConversationFilter, ConversationPatch, ConversationStore,
    EventSegment, PendingPurge, UsageReport,
};
pub use event_store::EventStore;
pub use identity_store::{IdentityStore, Registration, StoredCredentials};
pub use login_throttle::LoginThrottleStore;
pub use mailer::{Mail, Mailer};
pub use org_store::{AuditLog, Change, MemberView, Membership, OrgPatch, OrgStore};
pub use password_hasher::{PasswordCheck, PasswordHasher};
pub use probe::Probe;
pub use remote_deletions::{PendingRemoteDeletion, RemoteDeletionQueue};
pub use sandbox_store::SandboxStore;
pub use secret_ports::{
    ApiKeyFormat, ApiKeyStore, SealedRow, SecretCipher, SecretFieldChange, SecretStore, SettingsStore,
    StoredPreferences, StoredSettings,
};
pub use secret_tokens::SecretTokens;

//! The ports: what the domain needs from the outside world, as traits adapters implement, one per
//! file and each named by the capability it offers.
//!
//! Ports are used as `Arc<dyn Port>` so adapters are chosen at run time from configuration. Use
//! cases that decide on several rows at once run in a [`Transaction`] from a [`UnitOfWork`].

mod access_tokens;
mod accounts;
mod agent_server;
mod api_key_format;
mod api_key_store;
mod audit_log;
mod background;
mod billing_store;
mod conversation_shares;
mod conversation_start_policy;
mod conversations;
mod credentials;
mod device_authorizations;
mod domain_verifier;
mod event_index;
mod event_store;
mod expired_rows;
mod export_sink;
mod import_source;
mod llm_profile_store;
mod login_throttle;
mod mailer;
mod member_directory;
mod mfa_store;
mod oidc_client;
mod one_time_tokens;
mod operator_reads;
mod orgs;
mod password_hasher;
mod payment_provider;
mod probe;
mod purge_queue;
mod remote_deletions;
mod request_counters;
mod retention;
mod sandbox_runtime;
mod sandbox_store;
mod secret_cipher;
mod secret_store;
mod secret_tokens;
mod session_reads;
mod sessions;
mod settings_store;
mod signals;
mod spend_observer;
mod spend_store;
mod sso_store;
mod start_task_store;
mod stream_leases;
mod stream_tickets;
mod totp_codes;
mod transaction;
mod unit_of_work;

pub use access_tokens::AccessTokens;
pub use accounts::{Accounts, Registration, SsoIdentity};
pub use agent_server::{AgentServer, AgentServerFailure};
pub use api_key_format::ApiKeyFormat;
pub use api_key_store::ApiKeyStore;
pub use audit_log::{AuditFilter, AuditLog};
pub use background::{BackgroundTask, BackgroundTasks};
pub use billing_store::BillingStore;
pub use conversation_shares::ConversationShares;
pub use conversation_start_policy::{AllowAllConversations, ConversationStartPolicy};
pub use conversations::{
    ConversationCursor, ConversationFilter, ConversationPatch, Conversations, TimeRange, UsageReport,
};
pub use credentials::{Credentials, StoredCredentials};
pub use device_authorizations::DeviceAuthorizations;
pub use domain_verifier::DomainVerifier;
pub use event_index::{
    AppendedRange, ConversationWindow, EventIndex, EventSegment, ObjectName, SegmentObject,
};
pub use event_store::EventStore;
pub use expired_rows::ExpiredRows;
pub use export_sink::{ExportSink, ExportedSettings};
pub use import_source::{ImportProgress, ImportSource};
pub use llm_profile_store::LlmProfileStore;
pub use login_throttle::{AttemptStart, LoginThrottleStore};
pub use mailer::{Mail, Mailer};
pub use member_directory::{MemberDirectory, MemberView};
pub use mfa_store::MfaStore;
pub use oidc_client::OidcClient;
pub use one_time_tokens::OneTimeTokens;
pub use operator_reads::{OperatorReads, OrgOverview, OrgSearch, OrgSpend, UserSearch};
pub use orgs::{Change, Membership, OrgPatch, Orgs};
pub use password_hasher::{PasswordCheck, PasswordHasher};
pub use payment_provider::PaymentProvider;
pub use probe::Probe;
pub use purge_queue::{PendingPurge, PurgeQueue};
pub use remote_deletions::{PendingRemoteDeletion, RemoteDeletionQueue};
pub use request_counters::RequestCounters;
pub use retention::RetentionStore;
pub use sandbox_runtime::{AGENT_SERVER, ExposedUrl, RuntimeFailure, SandboxLaunch, SandboxRuntime};
pub use sandbox_store::{SandboxStore, SupervisedSandbox};
pub use secret_cipher::SecretCipher;
pub use secret_store::{SealedRow, SecretStore};
pub use secret_tokens::SecretTokens;
pub use session_reads::{InSession, SessionProbe, SessionReads, SessionThenRead};
pub use sessions::Sessions;
pub use settings_store::{SecretFieldChange, SettingsStore, StoredPreferences, StoredSettings};
pub use signals::{Signal, SignalBus, SignalReceiver};
pub use spend_observer::{IgnoreSpending, SpendObserver};
pub use spend_store::{SpendStore, UsageLine, UsageSummary};
pub use sso_store::{SsoStore, StoredOrgProvider, StoredSignIn};
pub use start_task_store::{StartTaskFilter, StartTaskStore};
pub use stream_leases::StreamLeases;
pub use stream_tickets::{StreamTicket, StreamTickets};
pub use totp_codes::{TotpCodes, TotpProvisioning};
pub use transaction::{
    AccountRows, AuditRows, EventLogRows, InvitationRows, LockedConversation, MemberGrantRows, MemberRows,
    OpenInvitation, OrgRows, ReportRows, ReportedConversation, RowsTransaction, SandboxRows, Transaction,
    UserRows,
};
pub use unit_of_work::UnitOfWork;

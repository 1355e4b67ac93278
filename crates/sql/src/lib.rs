//! SeaORM adapters for Tenantry's repository ports, on PostgreSQL and SQLite alike.
//!
//! [`SqlDatabase::connect`] opens a pool tuned for a server; the store types implement the domain's
//! ports. SeaORM entities are an implementation detail of this crate and never leave it.

mod api_key_store;
mod billing_store;
mod connect;
mod connection_loss;
mod conversation_rows;
mod conversation_store;
mod credential_rows;
mod device_authorizations;
mod entities;
mod errors;
mod expired_rows;
mod identity_store;
mod llm_profile_store;
mod login_throttle;
mod mfa_store;
mod migrate;
mod operator_reads;
mod org_store;
mod pool;
mod probe;
mod read_pool;
mod remote_deletions;
mod request_counters;
mod retention;
mod sandbox_store;
mod secret_store;
mod session_reads;
mod share_store;
mod signals;
mod spend_rows;
mod spend_store;
mod sso_store;
mod start_task_store;
mod stream_leases;
mod transaction;
mod unit_of_work;

pub use api_key_store::SqlApiKeyStore;
pub use billing_store::SqlBillingStore;
pub use connect::{DatabaseOptions, SqlDatabase};
pub use conversation_store::SqlConversationStore;
pub use device_authorizations::SqlDeviceAuthorizations;
pub use expired_rows::SqlExpiredRows;
pub use identity_store::SqlIdentityStore;
pub use llm_profile_store::SqlLlmProfileStore;
pub use login_throttle::SqlLoginThrottle;
pub use mfa_store::SqlMfaStore;
pub use migrate::{MigrationState, MigrationStatus};
pub use operator_reads::SqlOperatorReads;
pub use org_store::SqlOrgStore;
pub use pool::Pool;
pub use remote_deletions::SqlRemoteDeletionQueue;
pub use request_counters::SqlRequestCounters;
pub use sandbox_store::SqlSandboxStore;
pub use secret_store::SqlSecretStore;
pub use session_reads::PostgresSessionReads;
pub use share_store::SqlShareStore;
pub use signals::SqlSignalBus;
pub use spend_store::SqlSpendStore;
pub use sso_store::SqlSsoStore;
pub use start_task_store::SqlStartTaskStore;
pub use stream_leases::SqlStreamLeases;
pub use unit_of_work::SqlUnitOfWork;

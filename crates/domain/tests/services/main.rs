//! Service-level tests of the domain's rules over the in-memory adapters: no database, no server,
//! milliseconds each. The end-to-end suite covers the same rules through the SQL adapters and HTTP.

mod world;

mod agent_runs;
mod api_key_scopes;
mod billing;
mod budgets;
mod credentials;
mod default_org;
mod event_ids;
mod export;
mod follow;
mod import;
mod invitations;
mod memberships;
mod mfa;
mod operators;
mod own_sessions;
mod rate_limits;
mod retention;
mod sandbox_lifecycle;
mod secrets;
mod session_reads;
mod settings_locks;
mod superadmins;
mod throttling;
mod usage;

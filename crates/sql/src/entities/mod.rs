//! SeaORM entities: the tables as this crate sees them. They never leave the crate.

pub(crate) mod api_keys;
pub(crate) mod audit_log;
pub(crate) mod conversation_event_keys;
pub(crate) mod conversation_shares;
pub(crate) mod conversations;
pub(crate) mod event_segments;
pub(crate) mod invitations;
pub(crate) mod login_throttles;
pub(crate) mod mfa_recovery_codes;
pub(crate) mod one_time_tokens;
pub(crate) mod org_members;
pub(crate) mod orgs;
pub(crate) mod pending_agent_deletions;
pub(crate) mod pending_purges;
pub(crate) mod refresh_tokens;
pub(crate) mod sandboxes;
pub(crate) mod secrets;
pub(crate) mod sessions;
pub(crate) mod settings;
pub(crate) mod sso_identities;
pub(crate) mod sso_logins;
pub(crate) mod sso_providers;
pub(crate) mod stream_tickets;
pub(crate) mod user_mfa;
pub(crate) mod user_preferences;
pub(crate) mod users;

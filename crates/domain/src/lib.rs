//! Tenantry's domain: what the product is, independent of how it is stored or served.
//!
//! Entities ([`User`], [`Org`], [`OrgMember`], [`Role`], …), the permission policy, the use-case
//! services and the [`ports`] they drive. Adapters (SQL, object storage, crypto, mail, HTTP) live in
//! other crates and plug into the ports; nothing here knows about SQL, HTTP or any framework.

pub mod agent_launch;
pub mod agent_reports;
pub mod api_key;
pub mod append_idempotency;
pub mod audit;
pub mod billing;
pub mod budget;
pub mod caller;
pub mod clock;
pub mod conversation;
pub mod conversation_order;
pub mod credential_lifecycle;
pub mod domain_verification;
pub mod email;
pub mod error;
pub mod event;
pub mod event_gaps;
pub mod event_ids;
pub mod expired_rows;
pub mod ids;
pub mod import;
pub mod invitation;
pub mod invitation_acceptance;
pub mod last_owner;
pub mod last_superadmin;
pub mod llm_key_release;
pub mod member;
pub mod membership_rules;
pub mod mfa;
pub mod oidc_endpoint_origin;
pub mod org;
pub mod org_policy;
pub mod orphan_batches;
pub mod outbound_policy;
pub mod password;
pub mod policy;
pub mod ports;
pub mod rate_limit;
pub mod retention;
pub mod role;
pub mod sandbox;
pub mod sandbox_access;
pub mod secret;
pub mod secrets;
pub mod services;
pub mod session;
pub mod session_confirmation;
pub mod settings;
pub mod share;
pub mod spend_period;
pub mod sso;
pub mod stream_cap;
pub mod throttle;
pub mod usage_bounds;
pub mod user;
pub mod webhook_signature;

pub use api_key::ApiKey;
pub use audit::{AuditAction, AuditEntry};
pub use caller::{ApiKeyGrant, Caller, Claimant};
pub use conversation::{Conversation, Visibility};
pub use email::Email;
pub use error::{DomainError, FieldError};
pub use event::StoredEvent;
pub use ids::{ConversationId, OrgId, UserId, new_id};
pub use invitation::Invitation;
pub use member::OrgMember;
pub use org::{Org, OrgName};
pub use role::Role;
pub use secret::SecretString;
pub use user::User;

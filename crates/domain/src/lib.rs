//! Tenantry's domain: what the product is, independent of how it is stored or served.
//!
//! Entities ([`User`], [`Org`], [`OrgMember`], [`Role`], …), the permission policy, the use-case
//! services and the [`ports`] they drive. Adapters (SQL, object storage, crypto, mail, HTTP) live in
//! other crates and plug into the ports; nothing here knows about SQL, HTTP or any framework.

pub mod agents;
pub mod caller;
pub mod clock;
pub mod conversations;
pub mod error;
pub mod expired_rows;
pub mod identity;
pub mod ids;
pub mod orgs;
pub mod porting;
pub mod ports;
pub mod secrets;
pub mod services;
pub mod settings;
pub mod sign_in;
pub mod spend;

// The flat module paths of earlier versions, kept so dependents keep compiling.
#[doc(hidden)]
pub use agents::{
    agent_launch, agent_reports, llm_key_release, outbound_policy, sandbox, sandbox_access, sandbox_idle,
    sandbox_lifecycle, sandbox_limits, sandbox_spec,
};
#[doc(hidden)]
pub use conversations::{
    append_idempotency, conversation, conversation_order, event, event_gaps, event_ids, event_search,
    orphan_batches, retention, share, start_task, stream_cap, usage_bounds,
};
#[doc(hidden)]
pub use identity::{
    api_key, credential_lifecycle, email, last_superadmin, mfa, password, session, session_confirmation,
    throttle, user,
};
#[doc(hidden)]
pub use orgs::{
    audit, invitation, invitation_acceptance, last_owner, member, membership_rules, org, policy, request_org,
    role,
};
#[doc(hidden)]
pub use porting::import;
#[doc(hidden)]
pub use secrets::secret_string as secret;
#[doc(hidden)]
pub use settings::llm_profile;
#[doc(hidden)]
pub use sign_in::{device_authorization, domain_verification, oidc_endpoint_origin, org_policy, sso};
#[doc(hidden)]
pub use spend::{billing, budget, rate_limit, spend_period, webhook_signature};

pub use caller::{ApiKeyGrant, Caller, Claimant};
pub use conversations::conversation::{Conversation, Visibility};
pub use conversations::event::StoredEvent;
pub use error::{DomainError, FieldError};
pub use identity::api_key::ApiKey;
pub use identity::email::Email;
pub use identity::user::User;
pub use ids::{ConversationId, OrgId, UserId, new_id};
pub use orgs::audit::{AuditAction, AuditEntry};
pub use orgs::invitation::Invitation;
pub use orgs::member::OrgMember;
pub use orgs::org::{Org, OrgName};
pub use orgs::role::Role;
pub use secrets::SecretString;

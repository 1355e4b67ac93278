//! Tenantry's domain: what the product is, independent of how it is stored or served.
//!
//! Entities ([`User`], [`Org`], [`OrgMember`], [`Role`], …), the permission policy, the use-case
//! services and the [`ports`] they drive. Adapters (SQL, object storage, crypto, mail, HTTP) live in
//! other crates and plug into the ports; nothing here knows about SQL, HTTP or any framework.
//!
//! The crate is grouped by area — [`identity`], [`sign_in`], [`orgs`], [`conversations`],
//! [`agents`], [`spend`], [`secrets`], [`settings`], [`porting`] — each holding its entities, one
//! file per rule, and its `services`. The [`ports`] are one trait per file; [`caller`], [`ids`],
//! [`clock`] and [`error`] are shared by every area.
//!
//! # Rule index
//!
//! | Rule | Decided by |
//! |---|---|
//! | Who may do what in an org; who may grant which role | [`orgs::policy::require`], [`orgs::policy::require_can_grant`] |
//! | A caller's role in an org (API keys reach their own org only) | [`orgs::role_in_org::role_in`] |
//! | Role changes, removals and additions of members | [`orgs::membership_rules`] |
//! | An org never loses its last owner | [`orgs::last_owner::ensure_an_owner_remains`] |
//! | Who may accept an invitation, and who may join an org at all | [`orgs::invitation_acceptance::decide_acceptance`], [`orgs::invitation_acceptance::decide_joining`] |
//! | Which org a Cloud API request acts in | [`orgs::request_org::request_org`] |
//! | The first account of an empty install becomes its superadmin | [`identity::first_superadmin::first_account_is_superadmin`] |
//! | The install keeps one superadmin | [`identity::last_superadmin::decide_superadmin_change`] |
//! | Password rules | [`identity::password`] |
//! | A name a person chooses for themself | [`identity::display_name::chosen_display_name`] |
//! | Who may use the operator API (superadmins, with a fresh sign-in when they have MFA) | [`identity::operator_access::require_operator`] |
//! | New accounts join the install's default org, the first as its owner | [`orgs::default_org::joining_role`], [`orgs::default_org::default_join_role`] |
//! | What an invitation's page shows, and to whom its address is shown in full | [`orgs::invitation_preview::shown_email`] |
//! | A period's spending by day in the budget's zone | [`spend::daily_spend::daily_spend`] |
//! | What dies with an account, a membership or a changed password (sessions, keys, sandboxes, shares) | [`identity::credential_lifecycle::revocation_for`] |
//! | Which scopes an API key may carry | [`identity::api_key::ApiKeyScope::parse`] |
//! | When an access token still stands for its caller | [`identity::session_confirmation::confirm_session`] |
//! | Login throttling and lockouts | [`identity::throttle`] |
//! | A TOTP code counts once; recovery codes | [`identity::mfa::step_is_fresh`] |
//! | Which account a single sign-on identity becomes, and where it may return | [`sign_in::sso::match_account`], [`sign_in::sso::redirect_allowed`] |
//! | An org's sign-in policy (MFA, SSO only, email domains) | [`sign_in::org_policy`] |
//! | Who joins an org by signing in through its provider, and with which role | [`sign_in::sso_joining::decide_sso_join`] |
//! | A proven email domain (DNS TXT) | [`sign_in::domain_verification::OrgDomain::challenge_met`] |
//! | Where an identity provider's endpoints may be | [`sign_in::oidc_endpoint_origin::endpoint_allowed`] |
//! | A device's sign-in poll (RFC 8628) | [`sign_in::device_authorization::decide_poll`] |
//! | Who may read or change a conversation | [`conversations::conversation::Visibility`] |
//! | Dense event ids, visible once stored | [`conversations::event_ids`] |
//! | A retried append is appended once | [`conversations::append_idempotency`] |
//! | Who may read through a share link | [`conversations::share::decide_share_access`] |
//! | When an idle conversation is deleted | [`conversations::retention::idle_before`] |
//! | How large reported usage may be | [`conversations::usage_bounds::check_report`] |
//! | Open streams, bounded across instances | [`conversations::stream_cap::admits`] |
//! | What a sandbox may do, and where its reports land | [`agents::sandbox_access::decide_sandbox_action`], [`agents::sandbox_access::decide_report_target`], [`agents::sandbox_access::sandbox_owns`] |
//! | What a run of reported events changes: the last status, the largest usage | [`agents::agent_reports::AgentStateChange::of_run`] |
//! | What an execution status is, and which one is running | [`conversations::execution_status::ExecutionStatus`] |
//! | Which LLM key a sandbox's conversation carries | [`agents::llm_key_release::decide_llm_key`] |
//! | Where Tenantry may send requests (agent servers) | [`agents::outbound_policy::OutboundPolicy::check_url`] |
//! | How a sandbox moves between its states | [`agents::sandbox_lifecycle::decide_request`], [`agents::sandbox_lifecycle::decide_observation`] |
//! | How many sandboxes may run | [`agents::sandbox_limits::admit_start`] |
//! | When a running sandbox is idle | [`agents::sandbox_idle::is_idle`] |
//! | Budgets: refusal (402), alerts at 80% and 100% | [`spend::budget::check_budget`], [`spend::budget::crosses_alert_line`], [`spend::budget::at_alert_line`] |
//! | Budget periods in the org's time zone | [`spend::spend_period::SpendPeriod::of`] |
//! | Usage is raised to reported totals, never lowered | [`spend::usage_charge::raise_to_reported`] |
//! | Usage debits credits when the budget spends them | [`spend::usage_charge::credit_debit`] |
//! | Rate limits per key, user, org and sandbox | [`spend::rate_limit`] |
//! | Usage lists lead with the largest spender | [`spend::usage_order::largest_first`] |
//! | Settings: validation, member overrides under the org's locks | [`settings::setting_fields::validate_change`], [`settings::setting_fields::merge`] |
//! | Named LLM profiles: names and the limit of ten | [`settings::llm_profile::admit_profile`] |
//! | Where a secret is bound (its address) | [`secrets::stored_secret::SecretAddress`] |
//! | What an import fills and how it resumes | [`porting::import`] |

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
pub use spend::{billing, budget, rate_limit, spend_period};

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

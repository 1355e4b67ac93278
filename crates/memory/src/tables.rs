//! The tables: rows as the domain knows them, plus what the stores keep beside them.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use tenantry_domain::{
    ApiKey, AuditEntry, Conversation, ConversationId, Invitation, Org, OrgId, Role, User, UserId,
    ports::{PendingPurge, PendingRemoteDeletion, StreamTicket},
    sandbox::Sandbox,
    secrets::{Sealed, SecretAddress, SecretMeta},
    session::OneTimePurpose,
    share::ConversationShare,
    throttle::ThrottleState,
};
use uuid::Uuid;

/// A user with what only the store sees.
#[derive(Debug, Clone)]
pub(crate) struct UserRow {
    pub user: User,
    pub password_hash: Option<String>,
    /// When the account last proved itself (a password sign-in, a verified email).
    pub verified_sign_in_at: Option<DateTime<Utc>>,
}

/// A membership.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MemberRow {
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

/// An invitation with its token digest and fate.
#[derive(Debug, Clone)]
pub(crate) struct InvitationRow {
    pub invitation: Invitation,
    pub inviter: Option<UserId>,
    pub token_digest: String,
    pub accepted_at: Option<DateTime<Utc>>,
    pub accepted_by: Option<UserId>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A session (a refresh-token family).
#[derive(Debug, Clone)]
pub(crate) struct SessionRow {
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub sign_in_method: tenantry_domain::session::SignInMethod,
}

/// A refresh token.
#[derive(Debug, Clone)]
pub(crate) struct RefreshTokenRow {
    pub user_id: UserId,
    pub family_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub spent_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A single-use token.
#[derive(Debug, Clone)]
pub(crate) struct OneTimeTokenRow {
    pub user_id: UserId,
    pub purpose: OneTimePurpose,
    pub context: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub spent_at: Option<DateTime<Utc>>,
}

/// A stored secret.
#[derive(Debug, Clone)]
pub(crate) struct SecretRow {
    pub meta: SecretMeta,
    pub address: SecretAddress,
    pub sealed: Sealed,
}

/// Stored settings of an org (`member: None`) or a member's overrides.
#[derive(Debug, Clone, Default)]
pub(crate) struct SettingsRow {
    pub values: Map<String, Value>,
    pub locked: Vec<String>,
    pub version: i64,
}

/// A remote deletion still owed, with when it was recorded (the queue is served oldest first).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RemoteDeletionRow {
    pub deletion: PendingRemoteDeletion,
    pub recorded_at: DateTime<Utc>,
}

/// A spending counter: the org (nil user) or one member, in one period.
pub(crate) type CounterKey = (OrgId, tenantry_domain::budget::SpendPeriod, UserId);
/// What the counter holds, and when its alert went out.
pub(crate) type Counter = (i64, Option<DateTime<Utc>>);

/// One counted usage report.
#[derive(Debug, Clone)]
pub(crate) struct UsageRow {
    pub org: OrgId,
    pub member: UserId,
    pub model: Option<String>,
    pub cost: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub period: tenantry_domain::budget::SpendPeriod,
    pub at: DateTime<Utc>,
}

/// Every table of the store.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tables {
    pub users: BTreeMap<UserId, UserRow>,
    pub orgs: BTreeMap<OrgId, Org>,
    /// The org created as the install's default org.
    pub default_org: Option<OrgId>,
    pub budgets: HashMap<OrgId, tenantry_domain::budget::Budget>,
    pub credits: HashMap<OrgId, tenantry_domain::budget::Credits>,
    pub spend_periods: HashMap<CounterKey, Counter>,
    pub usage_rows: Vec<UsageRow>,
    pub billing_sessions: BTreeMap<Uuid, tenantry_domain::billing::BillingSession>,
    pub credit_ledger: Vec<tenantry_domain::billing::LedgerEntry>,
    pub payment_events: std::collections::HashSet<String>,
    pub sso_providers: HashMap<OrgId, tenantry_domain::ports::StoredOrgProvider>,
    pub sso_identities: HashMap<(String, String), (UserId, DateTime<Utc>)>,
    pub org_domains: BTreeMap<(OrgId, String), tenantry_domain::domain_verification::OrgDomain>,
    pub sso_sign_ins: HashMap<String, tenantry_domain::ports::StoredSignIn>,
    pub members: BTreeMap<(OrgId, UserId), MemberRow>,
    pub invitations: BTreeMap<Uuid, InvitationRow>,
    pub audit: Vec<AuditEntry>,
    pub sessions: HashMap<Uuid, SessionRow>,
    pub refresh_tokens: HashMap<String, RefreshTokenRow>,
    pub one_time_tokens: HashMap<String, OneTimeTokenRow>,
    pub conversations: BTreeMap<ConversationId, Conversation>,
    pub segments: BTreeMap<ConversationId, Vec<(i64, i64, Option<uuid::Uuid>)>>,
    /// The ids each idempotency key's batch got, per conversation.
    pub segment_keys: HashMap<(ConversationId, String), tenantry_domain::ports::AppendedRange>,
    pub event_keys: HashSet<(ConversationId, String)>,
    pub purges: Vec<PendingPurge>,
    pub api_keys: BTreeMap<Uuid, ApiKey>,
    pub secrets: BTreeMap<Uuid, SecretRow>,
    pub settings: HashMap<(OrgId, Option<UserId>), SettingsRow>,
    pub preferences: HashMap<UserId, (Map<String, Value>, i64)>,
    pub throttles: HashMap<String, ThrottleState>,
    pub sandboxes: BTreeMap<Uuid, Sandbox>,
    /// Conversations deleted (their late reports are ignored).
    pub deleted_conversations: HashSet<ConversationId>,
    /// Device authorizations, with their last poll.
    pub device_authorizations: BTreeMap<
        Uuid,
        (
            tenantry_domain::device_authorization::DeviceAuthorization,
            Option<DateTime<Utc>>,
        ),
    >,
    /// Members' LLM profiles, by org, member and name.
    pub llm_profiles: BTreeMap<(OrgId, UserId, String), tenantry_domain::llm_profile::LlmProfile>,
    /// Conversation start tasks.
    pub start_tasks: BTreeMap<Uuid, tenantry_domain::start_task::StartTask>,
    /// Limits of running sandboxes an operator set per org.
    pub sandbox_limits: HashMap<OrgId, u32>,
    pub shares: BTreeMap<Uuid, (ConversationShare, String)>,
    pub stream_tickets: HashMap<String, (StreamTicket, Option<DateTime<Utc>>)>,
    pub remote_deletions: Vec<RemoteDeletionRow>,
    pub mfa: HashMap<UserId, tenantry_domain::mfa::MfaEnrollment>,
    /// (user, code digest, spent).
    pub recovery_codes: Vec<(UserId, String, bool)>,
}

impl Tables {
    /// The member as listed.
    pub(crate) fn member_view(&self, org: OrgId, user: UserId) -> Option<tenantry_domain::ports::MemberView> {
        let member = self.members.get(&(org, user))?;
        let row = self.users.get(&user)?;
        Some(tenantry_domain::ports::MemberView {
            user_id: user,
            email: row.user.email.clone(),
            name: row.user.name.clone(),
            role: member.role,
            email_verified: row.user.email_verified_at.is_some(),
            mfa_enabled: row.user.mfa_enabled_at.is_some(),
            joined_at: member.joined_at,
        })
    }

    /// The user's personal org, if they are still its member.
    pub(crate) fn personal_org_of(&self, user: UserId) -> Option<OrgId> {
        self.members
            .keys()
            .filter(|(_, member)| *member == user)
            .map(|(org, _)| *org)
            .find(|org| self.orgs.get(org).is_some_and(|org| org.personal))
    }
}

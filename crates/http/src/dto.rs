//! Response bodies: how domain values look on the wire.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};
use tenantry_domain::{
    AuditEntry, Conversation, Invitation, Org, Role, StoredEvent, User, Visibility,
    ports::{MemberView, Membership},
    session::TokenPair,
};
use utoipa::ToSchema;
use uuid::Uuid;

/// How every timestamp is written: RFC 3339, UTC, microseconds.
pub(crate) fn rfc3339_text(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn rfc3339<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&rfc3339_text(at))
}

/// `GET /api/auth/me`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeBody {
    id: Uuid,
    email: String,
    name: String,
    email_verified: bool,
    pub(crate) current_org_id: Option<Uuid>,
    is_superadmin: bool,
    #[serde(serialize_with = "rfc3339")]
    created_at: DateTime<Utc>,
}

impl From<&User> for MeBody {
    fn from(user: &User) -> Self {
        Self {
            id: user.id,
            email: user.email.as_str().to_owned(),
            name: user.name.clone(),
            email_verified: user.email_verified(),
            current_org_id: user.current_org_id,
            is_superadmin: user.is_superadmin,
            created_at: user.created_at,
        }
    }
}

/// An org in a list, with the caller's role.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgSummaryBody {
    id: Uuid,
    name: String,
    personal: bool,
    #[schema(value_type = RoleName)]
    role: Role,
    #[serde(serialize_with = "rfc3339")]
    created_at: DateTime<Utc>,
}

impl OrgSummaryBody {
    /// An org the caller owns.
    pub fn owner_of(org: &Org) -> Self {
        Self {
            id: org.id,
            name: org.name.as_str().to_owned(),
            personal: org.personal,
            role: Role::Owner,
            created_at: org.created_at,
        }
    }
}

/// A token pair.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenBody {
    access_token: String,
    refresh_token: String,
    token_type: &'static str,
    expires_in: u64,
}

impl From<TokenPair> for TokenBody {
    fn from(pair: TokenPair) -> Self {
        Self {
            access_token: pair.access_token.expose().to_owned(),
            refresh_token: pair.refresh_token.expose().to_owned(),
            token_type: "Bearer",
            expires_in: pair.expires_in.as_secs(),
        }
    }
}

/// `POST /api/auth/register`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredBody {
    /// The new user.
    pub user: MeBody,
    /// Its personal org.
    pub org: OrgSummaryBody,
    /// The first session's tokens.
    #[serde(flatten)]
    pub tokens: TokenBody,
}

/// `GET /api/orgs/{id}` and friends.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgBody {
    id: Uuid,
    name: String,
    personal: bool,
    contact_name: Option<String>,
    contact_email: Option<String>,
    #[serde(serialize_with = "rfc3339")]
    created_at: DateTime<Utc>,
    #[schema(value_type = RoleName)]
    role: Role,
}

impl From<&Membership> for OrgBody {
    fn from(membership: &Membership) -> Self {
        let org = &membership.org;
        Self {
            id: org.id,
            name: org.name.as_str().to_owned(),
            personal: org.personal,
            contact_name: org.contact_name.clone(),
            contact_email: org.contact_email.clone(),
            created_at: org.created_at,
            role: membership.role,
        }
    }
}

impl From<&Membership> for OrgSummaryBody {
    fn from(membership: &Membership) -> Self {
        let org = &membership.org;
        Self {
            id: org.id,
            name: org.name.as_str().to_owned(),
            personal: org.personal,
            role: membership.role,
            created_at: org.created_at,
        }
    }
}

/// A member.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberBody {
    user_id: Uuid,
    email: String,
    name: String,
    #[schema(value_type = RoleName)]
    role: Role,
    /// Whether the member's email address is verified.
    email_verified: bool,
    #[serde(serialize_with = "rfc3339")]
    joined_at: DateTime<Utc>,
}

impl From<&MemberView> for MemberBody {
    fn from(member: &MemberView) -> Self {
        Self {
            user_id: member.user_id,
            email: member.email.as_str().to_owned(),
            name: member.name.clone(),
            role: member.role,
            email_verified: member.email_verified,
            joined_at: member.joined_at,
        }
    }
}

/// An invitation (never its token).
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationBody {
    id: Uuid,
    email: String,
    #[schema(value_type = RoleName)]
    role: Role,
    invited_by: Uuid,
    #[serde(serialize_with = "rfc3339")]
    created_at: DateTime<Utc>,
    #[serde(serialize_with = "rfc3339")]
    expires_at: DateTime<Utc>,
}

impl From<&Invitation> for InvitationBody {
    fn from(invitation: &Invitation) -> Self {
        Self {
            id: invitation.id,
            email: invitation.email.as_str().to_owned(),
            role: invitation.role,
            invited_by: invitation.invited_by,
            created_at: invitation.created_at,
            expires_at: invitation.expires_at,
        }
    }
}

/// An audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryBody {
    id: Uuid,
    #[serde(serialize_with = "rfc3339")]
    at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    action: String,
    target_type: String,
    target_id: Option<String>,
    #[schema(value_type = Object)]
    detail: serde_json::Value,
}

impl From<&AuditEntry> for AuditEntryBody {
    fn from(entry: &AuditEntry) -> Self {
        Self {
            id: entry.id,
            at: entry.at,
            actor_id: entry.actor_id,
            action: entry.action.clone(),
            target_type: entry.target_type.clone(),
            target_id: entry.target_id.clone(),
            detail: entry.detail.clone(),
        }
    }
}

/// A role with its rank and permissions.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleInfoBody {
    name: &'static str,
    rank: i32,
    permissions: Vec<&'static str>,
}

impl From<Role> for RoleInfoBody {
    fn from(role: Role) -> Self {
        Self {
            name: role.name(),
            rank: role.rank(),
            permissions: role.permissions().into_iter().map(|p| p.name()).collect(),
        }
    }
}

/// For PATCH bodies: tells an absent field (`None`) from an explicit `null` (`Some(None)`).
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

/// A conversation's metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationBody {
    id: Uuid,
    org_id: Uuid,
    created_by: Uuid,
    title: Option<String>,
    selected_repository: Option<String>,
    selected_branch: Option<String>,
    git_provider: Option<String>,
    trigger: Option<String>,
    llm_model: Option<String>,
    #[schema(value_type = VisibilityName)]
    visibility: Visibility,
    pr_number: Vec<i64>,
    /// In currency units; kept exactly as integer micro-units inside.
    accumulated_cost: f64,
    prompt_tokens: i64,
    completion_tokens: i64,
    total_tokens: i64,
    event_count: i64,
    /// The sandbox whose agent server runs it, if one does.
    sandbox_id: Option<Uuid>,
    /// The agent's execution status as last reported.
    execution_status: Option<String>,
    #[serde(serialize_with = "rfc3339")]
    created_at: DateTime<Utc>,
    #[serde(serialize_with = "rfc3339")]
    last_updated_at: DateTime<Utc>,
}

impl From<&Conversation> for ConversationBody {
    fn from(c: &Conversation) -> Self {
        Self {
            id: c.id,
            org_id: c.org_id,
            created_by: c.created_by,
            title: c.title.clone(),
            selected_repository: c.selected_repository.clone(),
            selected_branch: c.selected_branch.clone(),
            git_provider: c.git_provider.clone(),
            trigger: c.trigger.clone(),
            llm_model: c.llm_model.clone(),
            visibility: c.visibility,
            pr_number: c.pr_number.clone(),
            accumulated_cost: c.accumulated_cost as f64 / 1_000_000.0,
            prompt_tokens: c.prompt_tokens,
            completion_tokens: c.completion_tokens,
            total_tokens: c.total_tokens,
            event_count: c.event_count,
            sandbox_id: c.sandbox_id,
            execution_status: c.execution_status.clone(),
            created_at: c.created_at,
            last_updated_at: c.last_updated_at,
        }
    }
}

/// One event as read back.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventBody<'a> {
    id: i64,
    #[serde(serialize_with = "rfc3339")]
    timestamp: DateTime<Utc>,
    #[schema(value_type = Object)]
    event: &'a serde_json::Value,
}

impl<'a> From<&'a StoredEvent> for EventBody<'a> {
    fn from(event: &'a StoredEvent) -> Self {
        Self {
            id: event.id,
            timestamp: event.timestamp,
            event: &event.event,
        }
    }
}

/// `{items: [...]}` and `{items: [...], next_cursor}` bodies, one concrete type each so the
/// OpenAPI document names every list precisely.
macro_rules! list_bodies {
    ($($(#[$doc:meta])* $name:ident($item:ty);)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            /// The items.
            pub items: Vec<$item>,
        }
    )*};
}

macro_rules! page_bodies {
    ($($(#[$doc:meta])* $name:ident($item:ty);)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            /// The items.
            pub items: Vec<$item>,
            /// Pass as `cursor` for the next page; `null` on the last one.
            pub next_cursor: Option<String>,
        }
    )*};
}

list_bodies! {
    /// Orgs with the caller's role.
    OrgList(OrgSummaryBody);
    /// Members.
    MemberList(MemberBody);
    /// Pending invitations.
    InvitationList(InvitationBody);
    /// Roles.
    RoleList(RoleInfoBody);
}

page_bodies! {
    /// A page of the audit log.
    AuditPage(AuditEntryBody);
    /// A page of conversations.
    ConversationPage(ConversationBody);
}

/// Role names, as documented.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)] // Documents `Role`'s wire form; never built.
pub enum RoleName {
    /// owner (rank 0)
    Owner,
    /// admin (rank 10)
    Admin,
    /// developer (rank 100)
    Developer,
    /// viewer (rank 1000)
    Viewer,
}

/// Conversation visibility, as documented.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)] // Documents `Visibility`'s wire form; never built.
pub enum VisibilityName {
    /// The creator and admins+.
    Private,
    /// Every member.
    Org,
}

/// Secret scopes, as documented.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)] // Documents `SecretScope`'s wire form; never built.
pub enum ScopeName {
    /// The caller's own.
    User,
    /// Shared by the org.
    Org,
}

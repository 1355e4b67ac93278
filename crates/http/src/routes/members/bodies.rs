//! Response bodies of these routes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tenantry_domain::{Invitation, Role, ports::MemberView};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::wire::list_bodies;

/// A member.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberBody {
    user_id: Uuid,
    email: String,
    name: String,
    #[schema(value_type = crate::wire_names::RoleName)]
    role: Role,
    /// Whether the member's email address is verified.
    email_verified: bool,
    /// Whether the member signs in with a second factor.
    mfa_enabled: bool,
    #[serde(serialize_with = "crate::wire::rfc3339")]
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
            mfa_enabled: member.mfa_enabled,
            joined_at: member.joined_at,
        }
    }
}

/// An invitation (never its token).
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationBody {
    id: Uuid,
    email: String,
    #[schema(value_type = crate::wire_names::RoleName)]
    role: Role,
    invited_by: Uuid,
    #[serde(serialize_with = "crate::wire::rfc3339")]
    created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::wire::rfc3339")]
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

list_bodies! {
    /// Members.
    MemberList(MemberBody);
    /// Pending invitations.
    InvitationList(InvitationBody);
}

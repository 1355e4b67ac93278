//! Response bodies of these routes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tenantry_domain::{Invitation, Role, orgs::invitation_preview::InvitationPreview, ports::MemberView};
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

/// Who sent an invitation.
#[derive(Debug, Serialize, ToSchema)]
pub struct InviterBody {
    name: String,
    /// Shown to the invited account only.
    email: Option<String>,
}

/// An invitation as its page shows it before "Accept" (never its token).
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationPreviewBody {
    org_id: Uuid,
    org_name: String,
    #[schema(value_type = crate::wire_names::RoleName)]
    role: Role,
    /// Who sent it, while they are still a member.
    inviter: Option<InviterBody>,
    /// The invited address: in full for its owner, else only its first letters (`f…@e…`).
    email: String,
    /// Whether it is addressed to the signed-in account.
    for_you: bool,
    #[serde(serialize_with = "crate::wire::rfc3339")]
    expires_at: DateTime<Utc>,
    /// Why accepting it now would be refused (the problem `accept` would answer), or `null`.
    refusal: Option<crate::Problem>,
}

impl From<InvitationPreview> for InvitationPreviewBody {
    fn from(preview: InvitationPreview) -> Self {
        Self {
            org_id: preview.org_id,
            org_name: preview.org_name,
            role: preview.role,
            inviter: preview.inviter.map(|(name, email)| InviterBody {
                name,
                email: email.map(|email| email.as_str().to_owned()),
            }),
            email: preview.email,
            for_you: preview.for_caller,
            expires_at: preview.expires_at,
            refusal: preview.refusal.map(|refusal| crate::Problem {
                request_id: None,
                ..crate::Problem::from(refusal)
            }),
        }
    }
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

//! Response bodies of these routes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tenantry_domain::{AuditEntry, Org, Role, ports::Membership};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::wire::{list_bodies, page_bodies};

/// An org in a list, with the caller's role.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgSummaryBody {
    id: Uuid,
    name: String,
    personal: bool,
    #[schema(value_type = crate::wire_names::RoleName)]
    role: Role,
    #[serde(serialize_with = "crate::wire::rfc3339")]
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

/// `GET /api/orgs/{id}` and friends.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgBody {
    id: Uuid,
    name: String,
    personal: bool,
    contact_name: Option<String>,
    contact_email: Option<String>,
    #[serde(serialize_with = "crate::wire::rfc3339")]
    created_at: DateTime<Utc>,
    #[schema(value_type = crate::wire_names::RoleName)]
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

/// An audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryBody {
    id: Uuid,
    #[serde(serialize_with = "crate::wire::rfc3339")]
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
            action: entry.action.name().to_owned(),
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

list_bodies! {
    /// Orgs with the caller's role.
    OrgList(OrgSummaryBody);
    /// Roles.
    RoleList(RoleInfoBody);
}

page_bodies! {
    /// A page of the audit log.
    AuditPage(AuditEntryBody);
}

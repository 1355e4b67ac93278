//! Row ↔ domain conversions and the locking reads every membership change starts with.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use tenantry_domain::{
    DomainError, Email, Org, OrgId, OrgName, Role, UserId,
    org_policy::{AccessPolicy, EmailDomain, OrgPolicy},
    ports::MemberView,
};

use crate::{
    entities::{org_members, orgs, users},
    errors::db_error,
};

pub(crate) fn org_from_row(row: orgs::Model) -> Result<Org, DomainError> {
    let domains: Vec<String> = serde_json::from_str(&row.allowed_email_domains)
        .map_err(|_| DomainError::Internal("stored email domains invalid".into()))?;
    let policy = OrgPolicy {
        access: AccessPolicy {
            require_mfa: row.require_mfa,
            require_sso: row.require_sso,
        },
        allowed_email_domains: EmailDomain::parse_list(&domains, "allowed_email_domains")
            .map_err(|_| DomainError::Internal("stored email domains invalid".into()))?,
    };
    Ok(Org {
        policy,
        id: row.id,
        name: OrgName::parse(&row.name)
            .map_err(|_| DomainError::Internal("stored org name invalid".into()))?,
        personal: row.personal,
        contact_name: row.contact_name,
        contact_email: row.contact_email,
        created_at: row.created_at,
    })
}

pub(crate) fn role_from_row(name: &str) -> Result<Role, DomainError> {
    Role::parse(name).map_err(|_| DomainError::Internal(format!("unknown stored role {name:?}")))
}

pub(crate) fn member_view(member: org_members::Model, user: users::Model) -> Result<MemberView, DomainError> {
    Ok(MemberView {
        user_id: member.user_id,
        email: Email::parse(&user.email).map_err(|_| DomainError::Internal("stored email invalid".into()))?,
        name: user.name,
        role: role_from_row(&member.role)?,
        email_verified: user.email_verified_at.is_some(),
        mfa_enabled: user.mfa_enabled_at.is_some(),
        joined_at: member.created_at,
    })
}

/// Locks the org row for the rest of the transaction (PostgreSQL: `FOR UPDATE`; SQLite holds the
/// database write lock already). Every membership change takes this lock first, so concurrent
/// changes to one org are decided one after the other. `NotFound` when the org is gone.
pub(crate) async fn lock_org(conn: &impl ConnectionTrait, org: OrgId) -> Result<orgs::Model, DomainError> {
    orgs::Entity::find_by_id(org)
        .lock_exclusive()
        .one(conn)
        .await
        .map_err(db_error)?
        .ok_or(DomainError::NotFound)
}

/// A member's role, if they are one.
pub(crate) async fn role_of(
    conn: &impl ConnectionTrait,
    org: OrgId,
    user: UserId,
) -> Result<Option<Role>, DomainError> {
    org_members::Entity::find_by_id((org, user))
        .one(conn)
        .await
        .map_err(db_error)?
        .map(|member| role_from_row(&member.role))
        .transpose()
}

/// How many owners the org has.
pub(crate) async fn owner_count(conn: &impl ConnectionTrait, org: OrgId) -> Result<u64, DomainError> {
    org_members::Entity::find()
        .filter(org_members::Column::OrgId.eq(org))
        .filter(org_members::Column::Role.eq(Role::Owner.name()))
        .count(conn)
        .await
        .map_err(db_error)
}

/// One member with their user row.
pub(crate) async fn member(
    conn: &impl ConnectionTrait,
    org: OrgId,
    user: UserId,
) -> Result<Option<MemberView>, DomainError> {
    let found = org_members::Entity::find_by_id((org, user))
        .find_also_related(users::Entity)
        .one(conn)
        .await
        .map_err(db_error)?;
    match found {
        Some((member, Some(user))) => member_view(member, user).map(Some),
        _ => Ok(None),
    }
}

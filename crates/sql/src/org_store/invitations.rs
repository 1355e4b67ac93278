use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use serde_json::json;
use tenantry_domain::{
    AuditAction, AuditEntry, DomainError, Email, Invitation, OrgId, User,
    invitation_acceptance::{AcceptanceFacts, JoiningPolicy, decide_acceptance},
    membership_rules::decide_addition,
    ports::{Change, MemberView},
};
use uuid::Uuid;

use super::{
    audit,
    members::insert_member,
    rows::{lock_org, member, role_from_row, role_of},
};
use crate::SqlDatabase;
use crate::{
    entities::{invitations, org_members, users},
    errors::db_error,
    transaction::begin_write,
};

fn invitation_from_row(row: invitations::Model) -> Result<Invitation, DomainError> {
    Ok(Invitation {
        id: row.id,
        org_id: row.org_id,
        email: Email::parse(&row.email).map_err(|_| DomainError::Internal("stored email invalid".into()))?,
        role: role_from_row(&row.role)?,
        invited_by: row.invited_by.unwrap_or_default(),
        created_at: row.created_at,
        expires_at: row.expires_at,
    })
}

fn pending_filter(org: OrgId, now: DateTime<Utc>) -> sea_orm::Select<invitations::Entity> {
    invitations::Entity::find()
        .filter(invitations::Column::OrgId.eq(org))
        .filter(invitations::Column::AcceptedAt.is_null())
        .filter(invitations::Column::RevokedAt.is_null())
        .filter(invitations::Column::ExpiresAt.gt(now))
}

pub(super) async fn create(
    db: &SqlDatabase,
    invitation: &Invitation,
    token_digest: &str,
    change: Change,
) -> Result<(), DomainError> {
    let org = invitation.org_id;
    let (txn, _turn) = begin_write(db).await?;
    let locked = lock_org(&txn, org).await?;
    let actor_role = role_of(&txn, org, change.actor)
        .await?
        .ok_or(DomainError::NotFound)?;
    decide_addition(actor_role, invitation.role, locked.personal)?;
    let already_member = org_members::Entity::find()
        .filter(org_members::Column::OrgId.eq(org))
        .inner_join(users::Entity)
        .filter(users::Column::Email.eq(invitation.email.as_str()))
        .one(&txn)
        .await
        .map_err(db_error)?
        .is_some();
    if already_member {
        return Err(DomainError::conflict(
            "already_member",
            "This email belongs to a member of the org.",
        ));
    }
    let pending = pending_filter(org, change.at)
        .filter(invitations::Column::Email.eq(invitation.email.as_str()))
        .one(&txn)
        .await
        .map_err(db_error)?;
    if pending.is_some() {
        return Err(DomainError::conflict(
            "already_invited",
            "This email already has a pending invitation; revoke it to send a new one.",
        ));
    }
    invitations::Entity::insert(invitations::ActiveModel {
        id: Set(invitation.id),
        org_id: Set(org),
        email: Set(invitation.email.as_str().to_owned()),
        role: Set(invitation.role.name().to_owned()),
        token_digest: Set(token_digest.to_owned()),
        invited_by: Set(Some(invitation.invited_by)),
        created_at: Set(invitation.created_at),
        expires_at: Set(invitation.expires_at),
        accepted_at: Set(None),
        accepted_by: Set(None),
        revoked_at: Set(None),
    })
    .exec_without_returning(&txn)
    .await
    .map_err(db_error)?;
    audit::record(
        &txn,
        AuditEntry::new(
            org,
            change.at,
            Some(change.actor),
            AuditAction::InvitationSent,
            ("invitation", Some(invitation.id.to_string())),
            json!({ "email": invitation.email.as_str(), "role": invitation.role.name() }),
        ),
    )
    .await?;
    txn.commit().await.map_err(db_error)
}

pub(super) async fn pending(
    db: &SqlDatabase,
    org: OrgId,
    now: DateTime<Utc>,
) -> Result<Vec<Invitation>, DomainError> {
    pending_filter(org, now)
        .order_by_desc(invitations::Column::Id)
        .all(&db.conn)
        .await
        .map_err(db_error)?
        .into_iter()
        .map(invitation_from_row)
        .collect()
}

pub(super) async fn revoke(
    db: &SqlDatabase,
    org: OrgId,
    id: Uuid,
    change: Change,
) -> Result<(), DomainError> {
    let (txn, _turn) = begin_write(db).await?;
    let revoked = invitations::Entity::update_many()
        .col_expr(invitations::Column::RevokedAt, Expr::value(change.at))
        .filter(invitations::Column::Id.eq(id))
        .filter(invitations::Column::OrgId.eq(org))
        .filter(invitations::Column::AcceptedAt.is_null())
        .filter(invitations::Column::RevokedAt.is_null())
        .exec(&txn)
        .await
        .map_err(db_error)?;
    if revoked.rows_affected == 0 {
        return Err(DomainError::NotFound);
    }
    audit::record(
        &txn,
        AuditEntry::new(
            org,
            change.at,
            Some(change.actor),
            AuditAction::InvitationRevoked,
            ("invitation", Some(id.to_string())),
            json!({}),
        ),
    )
    .await?;
    txn.commit().await.map_err(db_error)
}

pub(super) async fn accept(
    db: &SqlDatabase,
    token_digest: &str,
    user: &User,
    policy: JoiningPolicy,
    at: DateTime<Utc>,
) -> Result<MemberView, DomainError> {
    let (txn, _turn) = begin_write(db).await?;
    let invitation = invitations::Entity::find()
        .filter(invitations::Column::TokenDigest.eq(token_digest))
        .lock_exclusive()
        .one(&txn)
        .await
        .map_err(db_error)?
        .filter(|row| row.accepted_at.is_none() && row.revoked_at.is_none())
        .ok_or(DomainError::NotFound)?;
    let org = invitation.org_id;
    let locked = lock_org(&txn, org).await?;
    let inviter_role_now = match invitation.invited_by {
        Some(inviter) => role_of(&txn, org, inviter).await?,
        None => None,
    };
    let facts = AcceptanceFacts {
        role: role_from_row(&invitation.role)?,
        expires_at: invitation.expires_at,
        email_matches: invitation.email == user.email.as_str(),
        email_verified: user.email_verified(),
        personal: locked.personal,
        already_member: role_of(&txn, org, user.id).await?.is_some(),
        inviter_role_now,
    };
    let role = decide_acceptance(&facts, policy, at)?;
    let change = Change { actor: user.id, at };
    insert_member(&txn, org, user.id, role, change).await?;
    invitations::Entity::update_many()
        .col_expr(invitations::Column::AcceptedAt, Expr::value(at))
        .col_expr(invitations::Column::AcceptedBy, Expr::value(user.id))
        .filter(invitations::Column::Id.eq(invitation.id))
        .exec(&txn)
        .await
        .map_err(db_error)?;
    audit::record(
        &txn,
        AuditEntry::new(
            org,
            at,
            Some(user.id),
            AuditAction::InvitationAccepted,
            ("invitation", Some(invitation.id.to_string())),
            json!({ "user_id": user.id, "role": role.name() }),
        ),
    )
    .await?;
    let view = member(&txn, org, user.id).await?.ok_or(DomainError::NotFound)?;
    txn.commit().await.map_err(db_error)?;
    Ok(view)
}

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
use serde_json::json;
use tenantry_domain::{
    AuditAction, AuditEntry, DomainError, OrgId, Role, UserId,
    membership_rules::{MembershipFacts, decide_addition, decide_removal, decide_role_change},
    policy::{Permission, require},
    ports::{Change, MemberView},
};

use super::{
    audit,
    orgs::move_to_personal_org,
    rows::{lock_org, member, member_view, owner_count, role_of},
};
use crate::SqlDatabase;
use crate::{
    entities::{api_keys, invitations, org_members, sandboxes, users},
    errors::db_error,
    transaction::begin_write,
};

pub(super) async fn list(db: &SqlDatabase, org: OrgId) -> Result<Vec<MemberView>, DomainError> {
    let rows = org_members::Entity::find()
        .filter(org_members::Column::OrgId.eq(org))
        .find_also_related(users::Entity)
        .order_by_asc(org_members::Column::CreatedAt)
        .all(&db.conn)
        .await
        .map_err(db_error)?;
    rows.into_iter()
        .filter_map(|(member, user)| user.map(|user| member_view(member, user)))
        .collect()
}

/// The acting member's role as it is now (under the org lock); a former member acts on nothing.
async fn actor_role(
    conn: &impl sea_orm::ConnectionTrait,
    org: OrgId,
    change: Change,
) -> Result<Role, DomainError> {
    role_of(conn, org, change.actor)
        .await?
        .ok_or(DomainError::NotFound)
}

pub(super) async fn add(
    db: &SqlDatabase,
    org: OrgId,
    user: UserId,
    role: Role,
    change: Change,
) -> Result<MemberView, DomainError> {
    let (txn, _turn) = begin_write(db).await?;
    let locked = lock_org(&txn, org).await?;
    decide_addition(actor_role(&txn, org, change).await?, role, locked.personal)?;
    if role_of(&txn, org, user).await?.is_some() {
        return Err(DomainError::conflict(
            "already_member",
            "This user is already a member of the org.",
        ));
    }
    insert_member(&txn, org, user, role, change).await?;
    audit::record(
        &txn,
        AuditEntry::new(
            org,
            change.at,
            Some(change.actor),
            AuditAction::MemberAdded,
            ("member", Some(user.to_string())),
            json!({ "role": role.name() }),
        ),
    )
    .await?;
    let view = member(&txn, org, user).await?.ok_or(DomainError::NotFound)?;
    txn.commit().await.map_err(db_error)?;
    Ok(view)
}

pub(super) async fn insert_member(
    conn: &impl sea_orm::ConnectionTrait,
    org: OrgId,
    user: UserId,
    role: Role,
    change: Change,
) -> Result<(), DomainError> {
    org_members::Entity::insert(org_members::ActiveModel {
        org_id: Set(org),
        user_id: Set(user),
        role: Set(role.name().to_owned()),
        created_at: Set(change.at),
    })
    .exec_without_returning(conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

async fn facts(
    conn: &impl sea_orm::ConnectionTrait,
    org: OrgId,
    target: UserId,
    change: Change,
    personal: bool,
) -> Result<MembershipFacts, DomainError> {
    let actor_role = actor_role(conn, org, change).await?;
    let target_role = role_of(conn, org, target).await?.ok_or(DomainError::NotFound)?;
    Ok(MembershipFacts {
        actor_role,
        target_role,
        is_self: target == change.actor,
        owners: owner_count(conn, org).await?,
        personal,
    })
}

async fn set_role(
    conn: &impl sea_orm::ConnectionTrait,
    org: OrgId,
    user: UserId,
    role: Role,
) -> Result<(), DomainError> {
    org_members::Entity::update_many()
        .col_expr(org_members::Column::Role, Expr::value(role.name()))
        .filter(org_members::Column::OrgId.eq(org))
        .filter(org_members::Column::UserId.eq(user))
        .exec(conn)
        .await
        .map_err(db_error)?;
    Ok(())
}

pub(super) async fn change_role(
    db: &SqlDatabase,
    org: OrgId,
    target: UserId,
    role: Role,
    change: Change,
) -> Result<MemberView, DomainError> {
    let (txn, _turn) = begin_write(db).await?;
    let locked = lock_org(&txn, org).await?;
    let facts = facts(&txn, org, target, change, locked.personal).await?;
    decide_role_change(facts, role)?;
    if facts.target_role != role {
        set_role(&txn, org, target, role).await?;
        audit::record(
            &txn,
            AuditEntry::new(
                org,
                change.at,
                Some(change.actor),
                AuditAction::MemberRoleChanged,
                ("member", Some(target.to_string())),
                json!({ "from": facts.target_role.name(), "to": role.name() }),
            ),
        )
        .await?;
    }
    let view = member(&txn, org, target).await?.ok_or(DomainError::NotFound)?;
    txn.commit().await.map_err(db_error)?;
    Ok(view)
}

pub(super) async fn remove(
    db: &SqlDatabase,
    org: OrgId,
    target: UserId,
    change: Change,
) -> Result<(), DomainError> {
    let (txn, _turn) = begin_write(db).await?;
    let locked = lock_org(&txn, org).await?;
    let facts = facts(&txn, org, target, change, locked.personal).await?;
    decide_removal(facts)?;
    org_members::Entity::delete_by_id((org, target))
        .exec(&txn)
        .await
        .map_err(db_error)?;
    // Losing membership kills the member's API keys for the org, for good.
    api_keys::Entity::update_many()
        .col_expr(api_keys::Column::RevokedAt, Expr::value(change.at))
        .filter(api_keys::Column::OrgId.eq(org))
        .filter(api_keys::Column::UserId.eq(target))
        .filter(api_keys::Column::RevokedAt.is_null())
        .exec(&txn)
        .await
        .map_err(db_error)?;
    // So do the sandboxes they registered there.
    sandboxes::Entity::update_many()
        .col_expr(sandboxes::Column::RevokedAt, Expr::value(change.at))
        .filter(sandboxes::Column::OrgId.eq(org))
        .filter(sandboxes::Column::CreatedBy.eq(target))
        .filter(sandboxes::Column::RevokedAt.is_null())
        .exec(&txn)
        .await
        .map_err(db_error)?;
    // Invitations carry their inviter's authority: it leaves with them.
    let invitations_revoked = invitations::Entity::update_many()
        .col_expr(invitations::Column::RevokedAt, Expr::value(change.at))
        .filter(invitations::Column::OrgId.eq(org))
        .filter(invitations::Column::InvitedBy.eq(target))
        .filter(invitations::Column::AcceptedAt.is_null())
        .filter(invitations::Column::RevokedAt.is_null())
        .exec(&txn)
        .await
        .map_err(db_error)?
        .rows_affected;
    let had_it_current = users::Entity::find_by_id(target)
        .one(&txn)
        .await
        .map_err(db_error)?
        .is_some_and(|user| user.current_org_id == Some(org));
    if had_it_current {
        move_to_personal_org(&txn, target, change).await?;
    }
    audit::record(
        &txn,
        AuditEntry::new(
            org,
            change.at,
            Some(change.actor),
            AuditAction::MemberRemoved,
            ("member", Some(target.to_string())),
            json!({
                "role": facts.target_role.name(),
                "left": facts.is_self,
                "invitations_revoked": invitations_revoked,
            }),
        ),
    )
    .await?;
    txn.commit().await.map_err(db_error)
}

pub(super) async fn transfer_ownership(
    db: &SqlDatabase,
    org: OrgId,
    to: UserId,
    change: Change,
) -> Result<(), DomainError> {
    let (txn, _turn) = begin_write(db).await?;
    let locked = lock_org(&txn, org).await?;
    if locked.personal {
        return Err(tenantry_domain::last_owner::personal_org_conflict());
    }
    require(
        actor_role(&txn, org, change).await?,
        Permission::TransferOwnership,
    )?;
    let previous = role_of(&txn, org, to).await?.ok_or(DomainError::NotFound)?;
    set_role(&txn, org, to, Role::Owner).await?;
    set_role(&txn, org, change.actor, Role::Admin).await?;
    audit::record(
        &txn,
        AuditEntry::new(
            org,
            change.at,
            Some(change.actor),
            AuditAction::OwnershipTransferred,
            ("member", Some(to.to_string())),
            json!({ "to": to, "to_previous_role": previous.name(), "from": change.actor }),
        ),
    )
    .await?;
    txn.commit().await.map_err(db_error)
}

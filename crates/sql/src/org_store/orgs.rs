use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr,
};
use serde_json::json;
use tenantry_domain::{
    AuditAction, AuditEntry, DomainError, Org, OrgId, Role, UserId,
    ports::{Change, Membership, OrgPatch},
};

use super::{
    audit,
    rows::{lock_org, org_from_row, role_from_row},
};
use crate::SqlDatabase;
use crate::{
    conversation_store::record_purge,
    entities::{org_members, orgs, users},
    errors::{db_error, is_unique_violation},
    transaction::begin_write,
};

pub(super) async fn create(db: &SqlDatabase, org: &Org, change: Change) -> Result<(), DomainError> {
    let (txn, _turn) = begin_write(db).await?;
    let inserted = orgs::Entity::insert(orgs::ActiveModel {
        id: Set(org.id),
        name: Set(org.name.as_str().to_owned()),
        name_key: Set((!org.personal).then(|| org.name.unique_key())),
        personal: Set(org.personal),
        contact_name: Set(org.contact_name.clone()),
        contact_email: Set(org.contact_email.clone()),
        created_at: Set(org.created_at),
        updated_at: Set(org.created_at),
        ..Default::default()
    })
    .exec_without_returning(&txn)
    .await;
    match inserted {
        Err(error) if is_unique_violation(&error) => return Err(tenantry_domain::org::org_name_taken()),
        other => other.map_err(db_error)?,
    };
    org_members::Entity::insert(org_members::ActiveModel {
        org_id: Set(org.id),
        user_id: Set(change.actor),
        role: Set(Role::Owner.name().to_owned()),
        created_at: Set(change.at),
    })
    .exec_without_returning(&txn)
    .await
    .map_err(db_error)?;
    audit::record(
        &txn,
        AuditEntry::new(
            org.id,
            change.at,
            Some(change.actor),
            AuditAction::OrgCreated,
            ("org", Some(org.id.to_string())),
            json!({ "name": org.name.as_str() }),
        ),
    )
    .await?;
    txn.commit().await.map_err(db_error)
}

pub(super) async fn of_user(db: &SqlDatabase, user: UserId) -> Result<Vec<Membership>, DomainError> {
    let rows = org_members::Entity::find()
        .filter(org_members::Column::UserId.eq(user))
        .find_also_related(orgs::Entity)
        .order_by_asc(org_members::Column::CreatedAt)
        .all(&db.conn)
        .await
        .map_err(db_error)?;
    rows.into_iter()
        .filter_map(|(member, org)| org.map(|org| (member, org)))
        .map(|(member, org)| {
            Ok(Membership {
                org: org_from_row(org)?,
                role: role_from_row(&member.role)?,
            })
        })
        .collect()
}

pub(super) async fn membership(
    db: &SqlDatabase,
    org: OrgId,
    user: UserId,
) -> Result<Option<Membership>, DomainError> {
    let found = org_members::Entity::find_by_id((org, user))
        .find_also_related(orgs::Entity)
        .one(&db.conn)
        .await
        .map_err(db_error)?;
    match found {
        Some((member, Some(org))) => Ok(Some(Membership {
            org: org_from_row(org)?,
            role: role_from_row(&member.role)?,
        })),
        _ => Ok(None),
    }
}

pub(super) async fn update(
    db: &SqlDatabase,
    org: OrgId,
    patch: &OrgPatch,
    change: Change,
) -> Result<Org, DomainError> {
    let (txn, _turn) = begin_write(db).await?;
    let current = lock_org(&txn, org).await?;
    let mut row: orgs::ActiveModel = current.clone().into();
    let mut detail = serde_json::Map::new();
    if let Some(name) = &patch.name {
        row.name = Set(name.as_str().to_owned());
        row.name_key = Set((!current.personal).then(|| name.unique_key()));
        detail.insert(
            "name".into(),
            json!({ "from": current.name, "to": name.as_str() }),
        );
    }
    if let Some(contact_name) = &patch.contact_name {
        row.contact_name = Set(contact_name.clone());
        detail.insert("contact_name".into(), json!(contact_name));
    }
    if let Some(contact_email) = &patch.contact_email {
        let email = contact_email.as_ref().map(|email| email.as_str().to_owned());
        detail.insert("contact_email".into(), json!(email));
        row.contact_email = Set(email);
    }
    row.updated_at = Set(change.at);
    let updated = match orgs::Entity::update(row).exec(&txn).await {
        Err(error) if is_unique_violation(&error) => return Err(tenantry_domain::org::org_name_taken()),
        other => other.map_err(db_error)?,
    };
    audit::record(
        &txn,
        AuditEntry::new(
            org,
            change.at,
            Some(change.actor),
            AuditAction::OrgUpdated,
            ("org", Some(org.to_string())),
            serde_json::Value::Object(detail),
        ),
    )
    .await?;
    txn.commit().await.map_err(db_error)?;
    org_from_row(updated)
}

pub(super) async fn delete(db: &SqlDatabase, org: OrgId, change: Change) -> Result<(), DomainError> {
    let (txn, _turn) = begin_write(db).await?;
    let current = lock_org(&txn, org).await?;
    let displaced: Vec<UserId> = users::Entity::find()
        .filter(users::Column::CurrentOrgId.eq(org))
        .all(&txn)
        .await
        .map_err(db_error)?
        .into_iter()
        .map(|user| user.id)
        .collect();
    // Memberships, invitations and conversations go with the org (ON DELETE CASCADE); its event
    // objects are recorded for purging in the same transaction.
    orgs::Entity::delete_by_id(org)
        .exec(&txn)
        .await
        .map_err(db_error)?;
    record_purge(&txn, org, None, change.at).await?;
    for user in displaced {
        move_to_personal_org(&txn, user, change).await?;
    }
    audit::record(
        &txn,
        AuditEntry::new(
            org,
            change.at,
            Some(change.actor),
            AuditAction::OrgDeleted,
            ("org", Some(org.to_string())),
            json!({ "name": current.name }),
        ),
    )
    .await?;
    txn.commit().await.map_err(db_error)
}

pub(super) async fn set_current(db: &SqlDatabase, user: UserId, org: OrgId) -> Result<(), DomainError> {
    users::Entity::update_many()
        .col_expr(users::Column::CurrentOrgId, Expr::value(org))
        .filter(users::Column::Id.eq(user))
        .exec(&db.conn)
        .await
        .map_err(db_error)?;
    Ok(())
}

/// Points the user's current org at their personal org.
pub(super) async fn move_to_personal_org(
    conn: &impl ConnectionTrait,
    user: UserId,
    change: Change,
) -> Result<(), DomainError> {
    let personal = org_members::Entity::find()
        .filter(org_members::Column::UserId.eq(user))
        .find_also_related(orgs::Entity)
        .filter(orgs::Column::Personal.eq(true))
        .one(conn)
        .await
        .map_err(db_error)?
        .and_then(|(_, org)| org)
        .map(|org| org.id);
    users::Entity::update_many()
        .col_expr(users::Column::CurrentOrgId, Expr::value(personal))
        .col_expr(users::Column::UpdatedAt, Expr::value(change.at))
        .filter(users::Column::Id.eq(user))
        .exec(conn)
        .await
        .map_err(db_error)?;
    Ok(())
}

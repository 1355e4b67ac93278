use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use tenantry_domain::{AuditAction, AuditEntry, DomainError, OrgId, ports::AuditFilter};

use crate::{
    entities::audit_log,
    errors::{corrupt, db_error},
};

/// Writes an audit entry (inside the caller's transaction).
pub(crate) async fn record(conn: &impl ConnectionTrait, entry: AuditEntry) -> Result<(), DomainError> {
    audit_log::Entity::insert(audit_log::ActiveModel {
        id: Set(entry.id),
        org_id: Set(entry.org_id),
        at: Set(entry.at),
        actor_id: Set(entry.actor_id),
        action: Set(entry.action.name().to_owned()),
        target_type: Set(entry.target_type),
        target_id: Set(entry.target_id),
        detail: Set(entry.detail),
    })
    .exec_without_returning(conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

pub(super) async fn list(
    conn: &impl ConnectionTrait,
    org: OrgId,
    filter: &AuditFilter,
    limit: u64,
) -> Result<Vec<AuditEntry>, DomainError> {
    let mut query = audit_log::Entity::find().filter(audit_log::Column::OrgId.eq(org));
    if let Some(before) = filter.before {
        query = query.filter(audit_log::Column::Id.lt(before));
    }
    if let Some(action) = filter.action {
        query = query.filter(audit_log::Column::Action.eq(action.name()));
    }
    if let Some(actor) = filter.actor {
        query = query.filter(audit_log::Column::ActorId.eq(actor));
    }
    if let Some(since) = filter.since {
        query = query.filter(audit_log::Column::At.gte(since));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_log::Column::At.lt(until));
    }
    let rows = query
        .order_by_desc(audit_log::Column::Id)
        .limit(limit)
        .all(conn)
        .await
        .map_err(db_error)?;
    rows.into_iter()
        .map(|row| {
            Ok(AuditEntry {
                id: row.id,
                org_id: row.org_id,
                at: row.at,
                actor_id: row.actor_id,
                action: AuditAction::parse(&row.action).ok_or_else(|| corrupt("audit action"))?,
                target_type: row.target_type,
                target_id: row.target_id,
                detail: row.detail,
            })
        })
        .collect()
}

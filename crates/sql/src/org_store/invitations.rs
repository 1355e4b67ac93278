use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use tenantry_domain::{DomainError, Email, Invitation, OrgId};

use super::rows::role_from_row;
use crate::SqlDatabase;
use crate::{entities::invitations, errors::db_error};

pub(crate) fn invitation_from_row(row: invitations::Model) -> Result<Invitation, DomainError> {
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

pub(crate) fn pending_filter(org: OrgId, now: DateTime<Utc>) -> sea_orm::Select<invitations::Entity> {
    invitations::Entity::find()
        .filter(invitations::Column::OrgId.eq(org))
        .filter(invitations::Column::AcceptedAt.is_null())
        .filter(invitations::Column::RevokedAt.is_null())
        .filter(invitations::Column::ExpiresAt.gt(now))
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

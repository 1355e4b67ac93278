use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use tenantry_domain::{DomainError, OrgId, ports::MemberView};

use super::rows::member_view;
use crate::SqlDatabase;
use crate::{
    entities::{org_members, users},
    errors::db_error,
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

use async_trait::async_trait;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tenantry_domain::{DomainError, Org, OrgId, UserId, ports::OrgRows};

use super::SqlTransaction;
use crate::{
    entities::{org_members, orgs},
    errors::db_error,
    org_store::rows::{lock_org, org_from_row},
};

#[async_trait]
impl OrgRows for SqlTransaction {
    async fn lock(&self, org: OrgId) -> Result<Org, DomainError> {
        org_from_row(lock_org(&self.txn, org).await?)
    }

    async fn personal_org_of(&self, user: UserId) -> Result<Option<OrgId>, DomainError> {
        Ok(org_members::Entity::find()
            .filter(org_members::Column::UserId.eq(user))
            .find_also_related(orgs::Entity)
            .filter(orgs::Column::Personal.eq(true))
            .one(&self.txn)
            .await
            .map_err(db_error)?
            .and_then(|(_, org)| org)
            .map(|org| org.id))
    }
}

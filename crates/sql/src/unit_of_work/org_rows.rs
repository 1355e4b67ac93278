use async_trait::async_trait;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use tenantry_domain::{DomainError, Org, OrgId, UserId, org::OrgName, ports::OrgRows};

use super::SqlTransaction;
use crate::{
    entities::{org_members, orgs},
    errors::{db_error, is_unique_violation},
    org_store::rows::{lock_org, org_from_row},
};

#[async_trait]
impl OrgRows for SqlTransaction {
    async fn lock(&self, org: OrgId) -> Result<Org, DomainError> {
        org_from_row(lock_org(&self.txn, org).await?)
    }

    async fn shared_org_named(&self, name: &OrgName) -> Result<Option<OrgId>, DomainError> {
        Ok(orgs::Entity::find()
            .filter(orgs::Column::NameKey.eq(name.unique_key()))
            .one(&self.txn)
            .await
            .map_err(db_error)?
            .map(|org| org.id))
    }

    async fn marked_default_org(&self) -> Result<Option<OrgId>, DomainError> {
        Ok(orgs::Entity::find()
            .filter(orgs::Column::InstallDefault.eq(true))
            .one(&self.txn)
            .await
            .map_err(db_error)?
            .map(|org| org.id))
    }

    async fn insert_default_org(&self, org: &Org) -> Result<(), DomainError> {
        let inserted = orgs::Entity::insert(orgs::ActiveModel {
            id: Set(org.id),
            name: Set(org.name.as_str().to_owned()),
            name_key: Set((!org.personal).then(|| org.name.unique_key())),
            personal: Set(org.personal),
            contact_name: Set(org.contact_name.clone()),
            contact_email: Set(org.contact_email.clone()),
            created_at: Set(org.created_at),
            updated_at: Set(org.created_at),
            install_default: Set(true),
            ..Default::default()
        })
        .exec_without_returning(&self.txn)
        .await;
        match inserted {
            Err(error) if is_unique_violation(&error) => Err(tenantry_domain::org::org_name_taken()),
            other => other.map(|_| ()).map_err(db_error),
        }
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

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use tenantry_domain::{
    DomainError, Email, OrgId, Role, UserId,
    ports::{MemberRows, MemberView},
};

use super::SqlTransaction;
use crate::{
    entities::{org_members, users},
    errors::db_error,
    org_store::rows::{member, owner_count, role_of},
};

#[async_trait]
impl MemberRows for SqlTransaction {
    async fn role_of(&self, org: OrgId, user: UserId) -> Result<Option<Role>, DomainError> {
        role_of(&self.txn, org, user).await
    }

    async fn owner_count(&self, org: OrgId) -> Result<u64, DomainError> {
        owner_count(&self.txn, org).await
    }

    async fn has_email(&self, org: OrgId, email: &Email) -> Result<bool, DomainError> {
        Ok(org_members::Entity::find()
            .filter(org_members::Column::OrgId.eq(org))
            .inner_join(users::Entity)
            .filter(users::Column::Email.eq(email.as_str()))
            .one(&self.txn)
            .await
            .map_err(db_error)?
            .is_some())
    }

    async fn view(&self, org: OrgId, user: UserId) -> Result<Option<MemberView>, DomainError> {
        member(&self.txn, org, user).await
    }

    async fn insert(
        &self,
        org: OrgId,
        user: UserId,
        role: Role,
        at: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        org_members::Entity::insert(org_members::ActiveModel {
            org_id: Set(org),
            user_id: Set(user),
            role: Set(role.name().to_owned()),
            created_at: Set(at),
        })
        .exec_without_returning(&self.txn)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn set_role(&self, org: OrgId, user: UserId, role: Role) -> Result<(), DomainError> {
        org_members::Entity::update_many()
            .col_expr(org_members::Column::Role, Expr::value(role.name()))
            .filter(org_members::Column::OrgId.eq(org))
            .filter(org_members::Column::UserId.eq(user))
            .exec(&self.txn)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn delete(&self, org: OrgId, user: UserId) -> Result<(), DomainError> {
        org_members::Entity::delete_by_id((org, user))
            .exec(&self.txn)
            .await
            .map_err(db_error)?;
        Ok(())
    }
}

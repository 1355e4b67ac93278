use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use tenantry_domain::{DomainError, OrgId, UserId, ports::UserRows};

use super::SqlTransaction;
use crate::{entities::users, errors::db_error, identity_store::lock_install};

#[async_trait]
impl UserRows for SqlTransaction {
    async fn current_org(&self, user: UserId) -> Result<Option<OrgId>, DomainError> {
        Ok(users::Entity::find_by_id(user)
            .one(&self.txn)
            .await
            .map_err(db_error)?
            .and_then(|user| user.current_org_id))
    }

    async fn set_current_org(
        &self,
        user: UserId,
        org: Option<OrgId>,
        at: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        users::Entity::update_many()
            .col_expr(users::Column::CurrentOrgId, Expr::value(org))
            .col_expr(users::Column::UpdatedAt, Expr::value(at))
            .filter(users::Column::Id.eq(user))
            .exec(&self.txn)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn lock_superadmins(&self) -> Result<(), DomainError> {
        lock_install(&self.txn).await
    }

    async fn any_account(&self) -> Result<bool, DomainError> {
        Ok(users::Entity::find()
            .limit(1)
            .count(&self.txn)
            .await
            .map_err(db_error)?
            > 0)
    }

    async fn oldest_superadmin(&self) -> Result<Option<UserId>, DomainError> {
        Ok(users::Entity::find()
            .filter(users::Column::IsSuperadmin.eq(true))
            .order_by_asc(users::Column::CreatedAt)
            .order_by_asc(users::Column::Id)
            .one(&self.txn)
            .await
            .map_err(db_error)?
            .map(|user| user.id))
    }

    async fn superadmins_besides(&self, user: UserId) -> Result<u64, DomainError> {
        users::Entity::find()
            .filter(users::Column::IsSuperadmin.eq(true))
            .filter(users::Column::Id.ne(user))
            .count(&self.txn)
            .await
            .map_err(db_error)
    }

    async fn set_superadmin(&self, user: UserId, superadmin: bool) -> Result<bool, DomainError> {
        let updated = users::Entity::update_many()
            .col_expr(users::Column::IsSuperadmin, Expr::value(superadmin))
            .filter(users::Column::Id.eq(user))
            .exec(&self.txn)
            .await
            .map_err(db_error)?;
        Ok(updated.rows_affected > 0)
    }
}

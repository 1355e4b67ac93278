use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use tenantry_domain::{DomainError, OrgId, UserId, ports::MemberGrantRows};

use super::SqlTransaction;
use crate::{
    entities::{api_keys, sandboxes},
    errors::db_error,
};

#[async_trait]
impl MemberGrantRows for SqlTransaction {
    async fn revoke_api_keys(&self, org: OrgId, user: UserId, at: DateTime<Utc>) -> Result<(), DomainError> {
        api_keys::Entity::update_many()
            .col_expr(api_keys::Column::RevokedAt, Expr::value(at))
            .filter(api_keys::Column::OrgId.eq(org))
            .filter(api_keys::Column::UserId.eq(user))
            .filter(api_keys::Column::RevokedAt.is_null())
            .exec(&self.txn)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn revoke_sandboxes(&self, org: OrgId, user: UserId, at: DateTime<Utc>) -> Result<(), DomainError> {
        sandboxes::Entity::update_many()
            .col_expr(sandboxes::Column::RevokedAt, Expr::value(at))
            .filter(sandboxes::Column::OrgId.eq(org))
            .filter(sandboxes::Column::CreatedBy.eq(user))
            .filter(sandboxes::Column::RevokedAt.is_null())
            .exec(&self.txn)
            .await
            .map_err(db_error)?;
        Ok(())
    }
}

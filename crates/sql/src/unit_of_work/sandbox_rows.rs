use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, sea_query::Expr};
use tenantry_domain::{
    DomainError, OrgId, UserId,
    ports::SandboxRows,
    sandbox::{Sandbox, SandboxStatus},
    sandbox_limits::RunningSandboxes,
    secrets::{Sealed, SecretAddress},
};
use uuid::Uuid;

use super::SqlTransaction;
use crate::{
    entities::{org_sandbox_limits, sandboxes},
    errors::db_error,
    sandbox_store::{from_row, insert_with_keys},
};

fn slot_holding() -> [&'static str; 2] {
    [SandboxStatus::Starting.name(), SandboxStatus::Running.name()]
}

#[async_trait]
impl SandboxRows for SqlTransaction {
    async fn lock_sandbox(&self, org: OrgId, id: Uuid) -> Result<Option<Sandbox>, DomainError> {
        Ok(sandboxes::Entity::find_by_id(id)
            .filter(sandboxes::Column::OrgId.eq(org))
            .filter(sandboxes::Column::RevokedAt.is_null())
            .lock_exclusive()
            .one(&self.txn)
            .await
            .map_err(db_error)?
            .map(from_row))
    }

    async fn running_sandboxes(
        &self,
        org: OrgId,
        user: UserId,
        except: Option<Uuid>,
    ) -> Result<RunningSandboxes, DomainError> {
        let running = || {
            let query = sandboxes::Entity::find()
                .filter(sandboxes::Column::OrgId.eq(org))
                .filter(sandboxes::Column::RevokedAt.is_null())
                .filter(sandboxes::Column::Status.is_in(slot_holding()));
            match except {
                Some(id) => query.filter(sandboxes::Column::Id.ne(id)),
                None => query,
            }
        };
        let in_org = running().count(&self.txn).await.map_err(db_error)?;
        let of_user = running()
            .filter(sandboxes::Column::CreatedBy.eq(user))
            .count(&self.txn)
            .await
            .map_err(db_error)?;
        let count = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(RunningSandboxes {
            in_org: count(in_org),
            of_user: count(of_user),
        })
    }

    async fn sandbox_limit_of(&self, org: OrgId) -> Result<Option<u32>, DomainError> {
        Ok(org_sandbox_limits::Entity::find_by_id(org)
            .one(&self.txn)
            .await
            .map_err(db_error)?
            .map(|row| u32::try_from(row.max_running).unwrap_or(0)))
    }

    async fn insert_sandbox(
        &self,
        sandbox: &Sandbox,
        sealed: &[(SecretAddress, Sealed)],
    ) -> Result<(), DomainError> {
        insert_with_keys(&self.txn, sandbox, sealed).await
    }

    async fn set_sandbox_status(
        &self,
        id: Uuid,
        status: SandboxStatus,
        at: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        sandboxes::Entity::update_many()
            .col_expr(sandboxes::Column::Status, Expr::value(status.name()))
            .col_expr(sandboxes::Column::StatusChangedAt, Expr::value(at))
            .filter(sandboxes::Column::Id.eq(id))
            .exec(&self.txn)
            .await
            .map_err(db_error)?;
        Ok(())
    }
}

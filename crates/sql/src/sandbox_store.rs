//! Sandboxes, stored with the digest of their session key; the key itself is sealed in the secrets
//! table under the key ring.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Expr,
};
use tenantry_domain::{
    AuditEntry, DomainError, OrgId, UserId,
    conversations::execution_status::ExecutionStatus,
    ports::{SandboxStore, SupervisedSandbox},
    sandbox::{RuntimeRecord, Sandbox, SandboxOrigin, SandboxStatus},
    secrets::{Sealed, SecretAddress},
};
use uuid::Uuid;

use crate::{
    SqlDatabase,
    entities::{conversations, org_sandbox_limits, sandboxes},
    errors::db_error,
    org_store::audit,
    secret_store::upsert as upsert_sealed,
    transaction::begin_write,
};

/// [`SandboxStore`] on SQL.
#[derive(Debug, Clone)]
pub struct SqlSandboxStore {
    db: SqlDatabase,
}

impl SqlSandboxStore {
    /// The store over an open database.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

/// The record of a sandbox; `pub(crate)` for the unit of work's rows.
pub(crate) fn from_row(row: sandboxes::Model) -> Sandbox {
    let runtime = match (row.status.as_deref().and_then(SandboxStatus::parse), row.spec_id) {
        (Some(status), Some(spec_id)) => Some(RuntimeRecord {
            status,
            spec_id,
            status_changed_at: row.status_changed_at.unwrap_or(row.created_at),
        }),
        _ => None,
    };
    Sandbox {
        id: row.id,
        org_id: row.org_id,
        created_by: row.created_by,
        origin: SandboxOrigin::from_stored(row.origin.as_deref()),
        name: row.name,
        url: row.url,
        key_digest: row.key_digest,
        created_at: row.created_at,
        revoked_at: row.revoked_at,
        runtime,
    }
}

/// Inserts a sandbox's row with its sealed keys (inside the caller's transaction).
pub(crate) async fn insert_with_keys(
    conn: &impl ConnectionTrait,
    sandbox: &Sandbox,
    sealed: &[(SecretAddress, Sealed)],
) -> Result<(), DomainError> {
    let runtime = sandbox.runtime.as_ref();
    sandboxes::Entity::insert(sandboxes::ActiveModel {
        id: Set(sandbox.id),
        org_id: Set(sandbox.org_id),
        created_by: Set(sandbox.created_by),
        origin: Set(sandbox.origin.stored().map(str::to_owned)),
        name: Set(sandbox.name.clone()),
        url: Set(sandbox.url.clone()),
        key_digest: Set(sandbox.key_digest.clone()),
        created_at: Set(sandbox.created_at),
        revoked_at: Set(sandbox.revoked_at),
        status: Set(runtime.map(|record| record.status.name().to_owned())),
        spec_id: Set(runtime.map(|record| record.spec_id.clone())),
        status_changed_at: Set(runtime.map(|record| record.status_changed_at)),
    })
    .exec_without_returning(conn)
    .await
    .map_err(db_error)?;
    for (address, sealed) in sealed {
        upsert_sealed(conn, address, sealed, None, sandbox.created_at).await?;
    }
    Ok(())
}

#[derive(FromQueryResult)]
struct ConversationActivity {
    sandbox_id: Uuid,
    last_activity: Option<DateTime<Utc>>,
    running: Option<i64>,
}

impl SqlSandboxStore {
    /// Sets (or, with `None`, clears) an org's own limit of running sandboxes; an operator's act.
    pub async fn set_org_limit(db: &SqlDatabase, org: OrgId, limit: Option<u32>) -> Result<(), DomainError> {
        use sea_orm::sea_query::OnConflict;
        match limit {
            Some(limit) => {
                org_sandbox_limits::Entity::insert(org_sandbox_limits::ActiveModel {
                    org_id: Set(org),
                    max_running: Set(i32::try_from(limit).unwrap_or(i32::MAX)),
                })
                .on_conflict(
                    OnConflict::column(org_sandbox_limits::Column::OrgId)
                        .update_column(org_sandbox_limits::Column::MaxRunning)
                        .to_owned(),
                )
                .exec_without_returning(&db.conn)
                .await
                .map_err(db_error)?;
            }
            None => {
                org_sandbox_limits::Entity::delete_by_id(org)
                    .exec(&db.conn)
                    .await
                    .map_err(db_error)?;
            }
        }
        Ok(())
    }
}

#[async_trait]
impl SandboxStore for SqlSandboxStore {
    async fn create(
        &self,
        sandbox: &Sandbox,
        sealed_key: &(SecretAddress, Sealed),
        audit_entry: &AuditEntry,
    ) -> Result<(), DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        insert_with_keys(&txn, sandbox, std::slice::from_ref(sealed_key)).await?;
        audit::record(&txn, audit_entry.clone()).await?;
        txn.commit().await.map_err(db_error)
    }

    async fn list(&self, org: OrgId, creator: Option<UserId>) -> Result<Vec<Sandbox>, DomainError> {
        let mut query = sandboxes::Entity::find()
            .filter(sandboxes::Column::OrgId.eq(org))
            .filter(sandboxes::Column::RevokedAt.is_null());
        if let Some(creator) = creator {
            query = query.filter(sandboxes::Column::CreatedBy.eq(creator));
        }
        Ok(query
            .order_by_desc(sandboxes::Column::Id)
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(from_row)
            .collect())
    }

    async fn get(&self, org: OrgId, id: Uuid) -> Result<Option<Sandbox>, DomainError> {
        Ok(sandboxes::Entity::find_by_id(id)
            .filter(sandboxes::Column::OrgId.eq(org))
            .filter(sandboxes::Column::RevokedAt.is_null())
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
            .map(from_row))
    }

    async fn revoke(&self, org: OrgId, id: Uuid, audit_entry: &AuditEntry) -> Result<bool, DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        let revoked = sandboxes::Entity::update_many()
            .col_expr(sandboxes::Column::RevokedAt, Expr::value(audit_entry.at))
            .filter(sandboxes::Column::Id.eq(id))
            .filter(sandboxes::Column::OrgId.eq(org))
            .filter(sandboxes::Column::RevokedAt.is_null())
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if revoked.rows_affected != 1 {
            return Ok(false);
        }
        audit::record(&txn, audit_entry.clone()).await?;
        txn.commit().await.map_err(db_error)?;
        Ok(true)
    }

    async fn by_key_digest(&self, digest: &str) -> Result<Option<Sandbox>, DomainError> {
        Ok(sandboxes::Entity::find()
            .filter(sandboxes::Column::KeyDigest.eq(digest))
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
            .map(from_row))
    }

    async fn supervised(&self) -> Result<Vec<SupervisedSandbox>, DomainError> {
        let rows = sandboxes::Entity::find()
            .filter(sandboxes::Column::RevokedAt.is_null())
            .filter(sandboxes::Column::Status.is_not_null())
            .order_by_asc(sandboxes::Column::Id)
            .all(&self.db.conn)
            .await
            .map_err(db_error)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
        let activity: HashMap<Uuid, ConversationActivity> = conversations::Entity::find()
            .select_only()
            .column(conversations::Column::SandboxId)
            .column_as(conversations::Column::LastUpdatedAt.max(), "last_activity")
            .column_as(
                Expr::cust(format!(
                    "SUM(CASE WHEN execution_status = '{}' THEN 1 ELSE 0 END)",
                    ExecutionStatus::RUNNING
                )),
                "running",
            )
            .filter(conversations::Column::SandboxId.is_in(ids))
            .group_by(conversations::Column::SandboxId)
            .into_model::<ConversationActivity>()
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(|activity| (activity.sandbox_id, activity))
            .collect();
        Ok(rows
            .into_iter()
            .map(|row| {
                let seen = activity.get(&row.id);
                SupervisedSandbox {
                    last_conversation_activity: seen.and_then(|seen| seen.last_activity),
                    running_conversations: seen
                        .and_then(|seen| seen.running)
                        .map_or(0, |running| u32::try_from(running).unwrap_or(u32::MAX)),
                    sandbox: from_row(row),
                }
            })
            .collect())
    }
}

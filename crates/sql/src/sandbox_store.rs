//! Sandboxes, stored with the digest of their session key; the key itself is sealed in the secrets
//! table under the key ring.

use async_trait::async_trait;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
use tenantry_domain::{
    AuditEntry, DomainError, OrgId, UserId,
    ports::SandboxStore,
    sandbox::{Sandbox, SandboxOrigin},
    secrets::{Sealed, SecretAddress},
};
use uuid::Uuid;

use crate::{
    SqlDatabase, entities::sandboxes, errors::db_error, org_store::audit,
    secret_store::upsert as upsert_sealed, transaction::begin_write,
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

fn from_row(row: sandboxes::Model) -> Sandbox {
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
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_error)?;
        upsert_sealed(&txn, &sealed_key.0, &sealed_key.1, None, sandbox.created_at).await?;
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
}

//! [`StreamLeases`] in the `stream_leases` table. A take counts and inserts in one write
//! transaction: serialized by the write queue on SQLite, and by a transaction-scoped advisory lock
//! per holder on PostgreSQL (two instances taking the last slot of one holder cannot both win).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, Value};
use tenantry_domain::{DomainError, ports::StreamLeases, stream_cap};
use uuid::Uuid;

use crate::{SqlDatabase, errors::db_error, transaction::begin_write};

/// Stream leases shared through the database.
#[derive(Clone)]
pub struct SqlStreamLeases {
    db: SqlDatabase,
}

impl SqlStreamLeases {
    /// Leases in `db`.
    pub fn new(db: &SqlDatabase) -> Self {
        Self { db: db.clone() }
    }

    fn statement(&self, sql: &str, values: Vec<Value>) -> Statement {
        Statement::from_sql_and_values(self.db.backend(), sql, values)
    }
}

#[async_trait]
impl StreamLeases for SqlStreamLeases {
    async fn take(
        &self,
        lease: Uuid,
        instance: Uuid,
        holders: &[(String, usize)],
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, DomainError> {
        let mut holders = holders.to_vec();
        // One lock order for every instance.
        holders.sort();
        let (txn, _turn) = begin_write(&self.db).await?;
        for (holder, max) in &holders {
            if self.db.backend() == DatabaseBackend::Postgres {
                txn.execute_raw(self.statement(
                    "SELECT pg_advisory_xact_lock(hashtext('stream_leases:' || $1))",
                    vec![holder.clone().into()],
                ))
                .await
                .map_err(db_error)?;
            }
            txn.execute_raw(self.statement(
                "DELETE FROM stream_leases WHERE holder = $1 AND expires_at <= $2",
                vec![holder.clone().into(), now.into()],
            ))
            .await
            .map_err(db_error)?;
            let open = txn
                .query_one_raw(self.statement(
                    "SELECT COUNT(*) AS open FROM stream_leases WHERE holder = $1",
                    vec![holder.clone().into()],
                ))
                .await
                .map_err(db_error)?
                .map(|row| row.try_get::<i64>("", "open"))
                .transpose()
                .map_err(db_error)?
                .unwrap_or(0);
            if !stream_cap::admits(u64::try_from(open).unwrap_or(0), *max) {
                txn.rollback().await.map_err(db_error)?;
                return Ok(false);
            }
        }
        for (holder, _) in &holders {
            txn.execute_raw(self.statement(
                "INSERT INTO stream_leases (lease_id, holder, instance_id, expires_at) VALUES ($1, $2, $3, $4)",
                vec![lease.into(), holder.clone().into(), instance.into(), until.into()],
            ))
            .await
            .map_err(db_error)?;
        }
        txn.commit().await.map_err(db_error)?;
        Ok(true)
    }

    async fn renew(
        &self,
        instance: Uuid,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        txn.execute_raw(self.statement(
            "UPDATE stream_leases SET expires_at = $1 WHERE instance_id = $2",
            vec![until.into(), instance.into()],
        ))
        .await
        .map_err(db_error)?;
        txn.execute_raw(self.statement(
            "DELETE FROM stream_leases WHERE expires_at <= $1",
            vec![now.into()],
        ))
        .await
        .map_err(db_error)?;
        txn.commit().await.map_err(db_error)
    }

    async fn release(&self, lease: Uuid) -> Result<(), DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        txn.execute_raw(self.statement(
            "DELETE FROM stream_leases WHERE lease_id = $1",
            vec![lease.into()],
        ))
        .await
        .map_err(db_error)?;
        txn.commit().await.map_err(db_error)
    }
}

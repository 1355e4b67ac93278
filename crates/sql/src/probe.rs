use async_trait::async_trait;
use sea_orm::ConnectionTrait;
use tenantry_domain::{DomainError, ports::Probe};

use crate::{
    SqlDatabase,
    errors::{db_error, unavailable},
    transaction::begin_write,
};

#[async_trait]
impl Probe for SqlDatabase {
    fn name(&self) -> &'static str {
        "database"
    }

    /// The database answers; on SQLite, it also still takes a write that needs a new page (a
    /// full disk, or a file at its size bound, answers reads and refuses every growing write).
    async fn check(&self) -> Result<(), DomainError> {
        self.conn.ping().await.map_err(unavailable)?;
        if self.is_embedded() {
            let (txn, _turn) = begin_write(self).await?;
            let created = txn
                .execute_unprepared("CREATE TABLE tenantry_write_probe (x INTEGER)")
                .await;
            txn.rollback().await.map_err(db_error)?;
            created.map_err(db_error)?;
        }
        Ok(())
    }
}

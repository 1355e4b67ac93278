//! The unit-of-work port on SQL: one database transaction (with this process's SQLite write turn),
//! whose row capabilities only read, lock and write; the domain decides.

mod account_rows;
mod audit_rows;
pub(crate) mod event_log_rows;
mod invitation_rows;
mod member_grant_rows;
mod member_rows;
mod org_rows;
mod report_rows;
mod sandbox_rows;
mod user_rows;

use async_trait::async_trait;
use sea_orm::DatabaseTransaction;
use tenantry_domain::{
    DomainError,
    ports::{RowsTransaction, Transaction, UnitOfWork},
};

use crate::{
    SqlDatabase,
    errors::db_error,
    transaction::{WriteTurn, begin_write},
};

/// [`UnitOfWork`] on SQL.
#[derive(Debug, Clone)]
pub struct SqlUnitOfWork {
    db: SqlDatabase,
}

impl SqlUnitOfWork {
    /// Units of work over an open database.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

#[async_trait]
impl UnitOfWork for SqlUnitOfWork {
    async fn begin(&self) -> Result<Box<dyn Transaction>, DomainError> {
        let (txn, turn) = begin_write(&self.db).await?;
        Ok(Box::new(SqlTransaction { txn, _turn: turn }))
    }
}

/// An open SQL transaction; rolled back when dropped uncommitted.
pub(crate) struct SqlTransaction {
    pub(crate) txn: DatabaseTransaction,
    _turn: WriteTurn,
}

#[async_trait]
impl RowsTransaction for SqlTransaction {
    async fn commit_rows(self: Box<Self>) -> Result<(), DomainError> {
        let SqlTransaction { txn, _turn } = *self;
        txn.commit().await.map_err(db_error)
    }
}

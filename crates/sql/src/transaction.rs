use sea_orm::{
    DatabaseConnection, DatabaseTransaction, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use tenantry_domain::DomainError;

use crate::errors::db_error;

/// Begins a transaction that will write.
///
/// On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`), so two writers queue on the busy
/// timeout instead of one failing when it upgrades a read lock. On PostgreSQL it is a plain `BEGIN`;
/// the statements inside take the row locks they need.
pub(crate) async fn begin_write(conn: &DatabaseConnection) -> Result<DatabaseTransaction, DomainError> {
    conn.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
    .map_err(db_error)
}

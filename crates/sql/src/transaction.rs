use sea_orm::{DatabaseTransaction, SqliteTransactionMode, TransactionOptions, TransactionTrait};
use tenantry_domain::DomainError;
use tokio::sync::OwnedMutexGuard;

use crate::{SqlDatabase, errors::db_error};

/// Holds this process's turn to write to SQLite; `None` on PostgreSQL.
pub(crate) type WriteTurn = Option<OwnedMutexGuard<()>>;

/// Begins a transaction that will write; keep the returned turn alive until it is committed.
///
/// On SQLite, writers of this process queue on an async mutex first (in arrival order, without
/// holding a connection), then take the database's write lock up front (`BEGIN IMMEDIATE`); other
/// processes are held off by the busy timeout. Without the queue, concurrent writers poll SQLite's
/// busy handler, whose growing sleeps put hundreds of milliseconds on the slowest writes. On
/// PostgreSQL it is a plain `BEGIN`; the statements inside take the row locks they need.
pub(crate) async fn begin_write(db: &SqlDatabase) -> Result<(DatabaseTransaction, WriteTurn), DomainError> {
    let turn = match &db.write_queue {
        Some(queue) => Some(queue.clone().lock_owned().await),
        None => None,
    };
    let txn = db
        .conn
        .retrying(|| {
            db.conn.raw().begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            })
        })
        .await
        .map_err(db_error)?;
    Ok((txn, turn))
}

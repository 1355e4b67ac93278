//! Telling a lost connection from a failed statement: a statement on a lost connection never ran, so
//! it may be retried on another.

use sea_orm::{DbErr, RuntimeErr};

/// Whether `error` says the connection itself is gone (the statement never ran on a live session).
pub(crate) fn is_connection_lost(error: &DbErr) -> bool {
    use sea_orm::sqlx::Error;
    let inner = match error {
        DbErr::Conn(RuntimeErr::SqlxError(inner))
        | DbErr::Exec(RuntimeErr::SqlxError(inner))
        | DbErr::Query(RuntimeErr::SqlxError(inner)) => inner,
        _ => return false,
    };
    match inner.as_ref() {
        Error::Io(_) | Error::WorkerCrashed => true,
        // PostgreSQL: connection exceptions (08…) and operator intervention (57P01–57P03).
        Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

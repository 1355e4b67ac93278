use sea_orm::{DbErr, RuntimeErr, SqlErr};
use tenantry_domain::DomainError;

/// A database error that means the database cannot be reached or is overloaded.
pub(crate) fn unavailable(error: DbErr) -> DomainError {
    tracing::warn!(%error, "database unavailable");
    DomainError::Unavailable("database".into())
}

/// Whether `error` is a uniqueness violation (on either database).
pub(crate) fn is_unique_violation(error: &DbErr) -> bool {
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Maps an unexpected database error: connectivity problems become 503, a full disk 507, the
/// rest 500.
pub(crate) fn db_error(error: DbErr) -> DomainError {
    match &error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => unavailable(error),
        DbErr::Exec(RuntimeErr::SqlxError(inner)) | DbErr::Query(RuntimeErr::SqlxError(inner))
            if is_storage_full(inner.as_ref()) =>
        {
            tracing::error!(%error, "database full: writes fail until space is freed");
            DomainError::StorageFull("database".into())
        }
        DbErr::Exec(RuntimeErr::SqlxError(inner)) | DbErr::Query(RuntimeErr::SqlxError(inner))
            if is_connection_problem(inner.as_ref()) =>
        {
            unavailable(error)
        }
        _ => {
            tracing::error!(%error, "database error");
            DomainError::Internal("database error".into())
        }
    }
}

/// SQLite's `SQLITE_FULL` (13: the disk, or `max_page_count`), PostgreSQL's `disk_full` (53100),
/// or the operating system's ENOSPC.
pub(crate) fn is_storage_full(error: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    match error {
        Error::Database(db) => db
            .code()
            .is_some_and(|code| matches!(code.as_ref(), "13" | "53100")),
        Error::Io(io) => io.kind() == std::io::ErrorKind::StorageFull,
        _ => false,
    }
}

fn is_connection_problem(error: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    match error {
        Error::Io(_) | Error::PoolTimedOut | Error::PoolClosed | Error::WorkerCrashed | Error::Tls(_) => true,
        // Postgres: admin shutdown / connection failure classes, and the session's own bounds
        // (statement_timeout 57014, lock_timeout 55P03, idle_in_transaction_session_timeout 25P03);
        // SQLite: database is locked.
        Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08")
                || code.starts_with("57P")
                || matches!(code.as_ref(), "57014" | "55P03" | "25P03" | "5" | "517")
        }),
        _ => false,
    }
}

/// Stored data that does not read back as what was written: an error (500, one log line), never a
/// silent default.
pub(crate) fn corrupt(what: &str) -> DomainError {
    tracing::error!(what, "stored data is unreadable");
    DomainError::Internal(format!("stored {what} is unreadable"))
}

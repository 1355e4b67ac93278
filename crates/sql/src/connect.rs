use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};
use tenantry_domain::DomainError;

use crate::{errors::unavailable, pool::Pool, read_pool::ReadPool};

/// Pool settings shared by both databases.
#[derive(Debug, Clone)]
pub struct DatabaseOptions {
    /// `sqlite://path?mode=rwc` or `postgres://…`.
    pub url: String,
    /// Upper bound on open connections.
    pub max_connections: u32,
    /// Connections kept open while idle.
    pub min_connections: u32,
    /// How long a request waits for a connection before answering 503.
    pub acquire_timeout: Duration,
    /// How long SQLite waits on a locked database before failing a statement.
    pub sqlite_busy_timeout: Duration,
    /// SQLite: the largest the database file may grow, in bytes (0: as large as the disk allows);
    /// a write beyond fails as a full disk would (507 `storage_full`).
    pub sqlite_max_size_bytes: u64,
    /// PostgreSQL: the longest a statement runs, and the longest a transaction may sit idle, before
    /// the server cancels it (zero: no bound). Migrations run without it.
    pub statement_timeout: Duration,
    /// PostgreSQL: the longest a statement waits for a lock before failing (zero: no bound).
    pub lock_timeout: Duration,
}

impl DatabaseOptions {
    /// The server settings every PostgreSQL session of the pools starts with: each wait on the server
    /// is bounded, and a transaction its client stopped talking to (a frozen network, a process
    /// stopped mid-transaction) is ended by the server instead of holding its locks.
    pub(crate) fn postgres_session_settings(&self) -> Vec<(&'static str, String)> {
        let millis = |duration: Duration| duration.as_millis().to_string();
        vec![
            ("statement_timeout", millis(self.statement_timeout)),
            ("lock_timeout", millis(self.lock_timeout)),
            (
                "idle_in_transaction_session_timeout",
                millis(self.statement_timeout),
            ),
        ]
    }
}

/// An open connection pool to Tenantry's database.
#[derive(Debug, Clone)]
pub struct SqlDatabase {
    pub(crate) conn: Pool,
    /// SQLite only: the queue this process's writers wait in (see `begin_write`).
    pub(crate) write_queue: Option<std::sync::Arc<tokio::sync::Mutex<()>>>,
    /// Where it connects, for migrations (which run on a connection of their own, unbounded).
    pub(crate) url: String,
}

impl SqlDatabase {
    /// Opens a pool; for SQLite, with WAL, enforced foreign keys and a busy timeout.
    pub async fn connect(options: &DatabaseOptions) -> Result<Self, DomainError> {
        if let Some(path) = sqlite_file(&options.url) {
            create_private_file(path)
                .map_err(|error| DomainError::Unavailable(format!("cannot create {path}: {error}")))?;
        }
        let mut connect = ConnectOptions::new(options.url.clone());
        connect
            .max_connections(options.max_connections)
            .min_connections(options.min_connections)
            .acquire_timeout(options.acquire_timeout)
            .connect_timeout(options.acquire_timeout)
            // No ping before each use: `Pool` retries what meets a connection the server dropped.
            .test_before_acquire(false)
            .sqlx_logging(false);
        let settings = options.postgres_session_settings();
        connect.map_sqlx_postgres_opts(move |postgres| postgres.options(settings.clone()));
        let busy_timeout = options.sqlite_busy_timeout;
        // SQLite pages are 4 KiB by default; the limit is set per connection.
        let max_pages =
            (options.sqlite_max_size_bytes > 0).then(|| (options.sqlite_max_size_bytes / 4096).max(1));
        connect.map_sqlx_sqlite_opts(move |sqlite| {
            let sqlite = sqlite
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(busy_timeout)
                .create_if_missing(true);
            match max_pages {
                Some(pages) => sqlite.pragma("max_page_count", pages.to_string()),
                None => sqlite,
            }
        });
        let conn = Database::connect(connect).await.map_err(unavailable)?;
        let backend = conn.get_database_backend();
        let reads = match backend {
            DatabaseBackend::Postgres => Some(
                ReadPool::new(
                    &options.url,
                    options.postgres_session_settings(),
                    options.max_connections,
                    options.min_connections,
                    options.acquire_timeout,
                )
                .map_err(unavailable)?,
            ),
            _ => None,
        };
        let write_queue =
            (backend == DatabaseBackend::Sqlite).then(|| std::sync::Arc::new(tokio::sync::Mutex::new(())));
        Ok(Self {
            conn: Pool::new(conn, reads, options.max_connections),
            write_queue,
            url: options.url.clone(),
        })
    }

    /// The pool, for adapters built on it: SeaORM queries run on it directly.
    pub fn connection(&self) -> &Pool {
        &self.conn
    }

    /// Which database this is.
    pub fn backend(&self) -> DatabaseBackend {
        self.conn.get_database_backend()
    }

    /// Whether the database runs inside this process (SQLite): a statement then costs no round
    /// trip, so nothing is gained by folding reads into one.
    pub fn is_embedded(&self) -> bool {
        self.backend() == DatabaseBackend::Sqlite
    }

    /// Closes every connection of the pools.
    pub async fn close(self) -> Result<(), DomainError> {
        if let Some(reads) = self.conn.reads() {
            reads.close().await;
        }
        self.conn.raw().clone().close().await.map_err(unavailable)
    }
}

/// The file of an `sqlite://` URL, if it names one (not `:memory:`).
fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:") && !rest.contains("mode=memory")).then_some(path)
}

/// Creates the database file readable by its owner only (it holds token digests and sealed secrets);
/// SQLite gives its `-wal` and `-shm` files the same mode. An existing file is left as it is.
fn create_private_file(path: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

impl SqlDatabase {
    /// The most connections open at once: `max_connections`, twice on PostgreSQL (where single
    /// reads have a pool of their own beside the one of writes and transactions).
    pub fn connection_limit(&self) -> u32 {
        let reads = self.conn.reads().map_or(0, |reads| reads.capacity());
        match self.backend() {
            DatabaseBackend::Postgres => {
                let pool = self.conn.raw().get_postgres_connection_pool();
                pool.options().get_max_connections() + reads
            }
            DatabaseBackend::Sqlite => {
                let pool = self.conn.raw().get_sqlite_connection_pool();
                pool.options().get_max_connections()
            }
            _ => 0,
        }
    }

    /// Open and idle connections of the pools.
    pub fn pool_stats(&self) -> (u32, usize) {
        match self.backend() {
            DatabaseBackend::Postgres => {
                let pool = self.conn.raw().get_postgres_connection_pool();
                let (read_size, read_idle) = self.conn.reads().map_or((0, 0), |reads| reads.stats());
                (pool.size() + read_size, pool.num_idle() + read_idle)
            }
            DatabaseBackend::Sqlite => {
                let pool = self.conn.raw().get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => (0, 0),
        }
    }
}

//! PostgreSQL connections for reads outside a transaction, pooled without sqlx's ping on release.
//!
//! sqlx pings every connection it takes back (one round trip more per statement, and SeaORM takes
//! a connection per statement), to catch connections left mid-conversation by a cancelled query.
//! This pool catches those without a round trip: a connection is marked unsettled while a statement
//! runs on it and only a settled one is reused; a request dropped mid-statement discards its
//! connection instead.

use std::time::Duration;

use deadpool::managed::{self, Metrics, Object, PoolError, RecycleError, RecycleResult, WeakPool};
use sea_orm::{
    ConnAcquireErr, DbErr, QueryResult, RuntimeErr, Statement,
    sea_query::Values,
    sqlx::{
        self, ConnectOptions, Connection, PgConnection,
        postgres::{PgArguments, PgConnectOptions, PgRow, Postgres},
    },
};
use sea_query_sqlx::SqlxValues;

/// How long a connection serves before it is replaced, as sqlx's own pool does by default: the
/// server's per-connection caches do not grow without end and a failover is followed eventually.
const MAX_LIFETIME: Duration = Duration::from_secs(30 * 60);
/// How long a connection may sit idle before it is closed (beyond the ones kept open), as sqlx's
/// pool does by default.
const IDLE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// How often idle and aged connections are looked for.
const SWEEP_EVERY: Duration = Duration::from_secs(30);

/// A pool of PostgreSQL connections that runs single read statements.
#[derive(Clone)]
pub(crate) struct ReadPool {
    pool: managed::Pool<Connector>,
}

impl std::fmt::Debug for ReadPool {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let status = self.pool.status();
        formatter
            .debug_struct("ReadPool")
            .field("size", &status.size)
            .field("available", &status.available)
            .finish()
    }
}

impl ReadPool {
    /// A pool of at most `max_connections` to `url` whose sessions start with `settings` (server
    /// parameters such as `statement_timeout`), opened as they are first needed; a caller
    /// waits at most `acquire_timeout` for one. Connections idle for long are closed down to
    /// `min_connections` (needs a Tokio runtime).
    pub(crate) fn new(
        url: &str,
        settings: Vec<(&'static str, String)>,
        max_connections: u32,
        min_connections: u32,
        acquire_timeout: Duration,
    ) -> Result<Self, DbErr> {
        let options = url
            .parse::<PgConnectOptions>()
            .map_err(|error| DbErr::Conn(RuntimeErr::SqlxError(error.into())))?
            .options(settings)
            .disable_statement_logging();
        let pool = managed::Pool::builder(Connector { options })
            .max_size(max_connections as usize)
            .wait_timeout(Some(acquire_timeout))
            .create_timeout(Some(acquire_timeout))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map_err(|error| DbErr::Custom(format!("read pool: {error}")))?;
        spawn_sweeper(pool.weak(), min_connections as usize);
        Ok(Self { pool })
    }

    /// The first row `statement` returns, if any.
    pub(crate) async fn query_one(&self, statement: &Statement) -> Result<Option<QueryResult>, DbErr> {
        let mut connection = self.connection().await?;
        connection.settled = false;
        let outcome = bound(statement).fetch_optional(&mut connection.conn).await;
        connection.settled = true;
        settle(connection, outcome).map(|row| row.map(QueryResult::from))
    }

    /// Every row `statement` returns.
    pub(crate) async fn query_all(&self, statement: &Statement) -> Result<Vec<QueryResult>, DbErr> {
        let mut connection = self.connection().await?;
        connection.settled = false;
        let outcome = bound(statement).fetch_all(&mut connection.conn).await;
        connection.settled = true;
        settle(connection, outcome).map(|rows| rows.into_iter().map(QueryResult::from).collect())
    }

    /// Every row `sql` returns with `arguments` bound, as sqlx gives them, for reads that decode
    /// by position.
    pub(crate) async fn fetch_rows(&self, sql: &str, arguments: &PgArguments) -> Result<Vec<PgRow>, DbErr> {
        let mut connection = self.connection().await?;
        connection.settled = false;
        let outcome = sqlx::query_with(sqlx::AssertSqlSafe(sql), arguments.clone())
            .fetch_all(&mut connection.conn)
            .await;
        connection.settled = true;
        settle(connection, outcome)
    }

    /// The most connections it opens.
    pub(crate) fn capacity(&self) -> u32 {
        u32::try_from(self.pool.status().max_size).unwrap_or(u32::MAX)
    }

    /// Open and idle connections.
    pub(crate) fn stats(&self) -> (u32, usize) {
        let status = self.pool.status();
        (u32::try_from(status.size).unwrap_or(u32::MAX), status.available)
    }

    /// Closes the pool: idle connections now, saying goodbye to the server, the others as they
    /// come back.
    pub(crate) async fn close(&self) {
        let idle = self.pool.retain(|_, _| false).removed;
        self.pool.close();
        for connection in idle {
            connection.conn.close().await.ok();
        }
    }

    async fn connection(&self) -> Result<Object<Connector>, DbErr> {
        self.pool.get().await.map_err(|error| match error {
            PoolError::Backend(error) => DbErr::Conn(RuntimeErr::SqlxError(error.into())),
            PoolError::Closed => DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
            _ => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
        })
    }
}

/// Closes idle and aged connections every [`SWEEP_EVERY`] until the pool is closed or dropped.
fn spawn_sweeper(pool: WeakPool<Connector>, keep: usize) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(SWEEP_EVERY);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            let stale = match pool.upgrade() {
                Some(pool) if !pool.is_closed() => sweep(&pool, keep, IDLE_TIMEOUT),
                _ => return,
            };
            for connection in stale {
                connection.conn.close().await.ok();
            }
        }
    });
}

/// Takes out of `pool` the idle connections past their lifetime, and those idle for longer than
/// `idle_timeout` beyond the first `keep`.
fn sweep(pool: &managed::Pool<Connector>, keep: usize, idle_timeout: Duration) -> Vec<ReadConnection> {
    let mut kept = 0;
    pool.retain(|_, metrics| {
        if metrics.age() > MAX_LIFETIME {
            return false;
        }
        if metrics.last_used() < idle_timeout {
            return true;
        }
        kept += 1;
        kept <= keep
    })
    .removed
}

/// `statement` with its values bound, prepared and cached on the connection by sqlx.
fn bound(statement: &Statement) -> sqlx::query::Query<'_, Postgres, SqlxValues> {
    let values = statement.values.clone().unwrap_or(Values(Vec::new()));
    sqlx::query_with(sqlx::AssertSqlSafe(statement.sql.as_str()), SqlxValues(values))
}

/// Maps a statement's outcome, discarding the connection if the server or the network dropped it.
fn settle<T>(connection: Object<Connector>, outcome: Result<T, sqlx::Error>) -> Result<T, DbErr> {
    outcome.map_err(|error| {
        let error = DbErr::Query(RuntimeErr::SqlxError(error.into()));
        if crate::connection_loss::is_connection_lost(&error) {
            drop(Object::take(connection));
        }
        error
    })
}

/// A pooled connection and whether its last statement ran to the end: it is marked unsettled
/// before a statement and settled after it, so a request dropped half-way leaves the mark.
pub(crate) struct ReadConnection {
    conn: PgConnection,
    settled: bool,
}

/// Opens connections and decides which can be reused.
pub(crate) struct Connector {
    options: PgConnectOptions,
}

impl managed::Manager for Connector {
    type Type = ReadConnection;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<ReadConnection, sqlx::Error> {
        let conn = PgConnection::connect_with(&self.options).await?;
        Ok(ReadConnection { conn, settled: true })
    }

    async fn recycle(
        &self,
        connection: &mut ReadConnection,
        metrics: &Metrics,
    ) -> RecycleResult<sqlx::Error> {
        if !connection.settled {
            return Err(RecycleError::message(
                "a statement was cut off on this connection",
            ));
        }
        if metrics.age() > MAX_LIFETIME {
            return Err(RecycleError::message("connection reached its lifetime"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use futures::future::join_all;
    use sea_orm::DbBackend;

    use super::*;

    /// The server `TENANTRY_TEST_DATABASE_URL` names, if it is PostgreSQL; otherwise says the test
    /// is skipped.
    fn postgres_url() -> Option<String> {
        let url = std::env::var("TENANTRY_TEST_DATABASE_URL")
            .ok()
            .filter(|url| url.starts_with("postgres"));
        if url.is_none() {
            eprintln!("skipped: PostgreSQL only (set TENANTRY_TEST_DATABASE_URL)");
        }
        url
    }

    fn statement(sql: &str, values: Vec<sea_orm::Value>) -> Statement {
        Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
    }

    async fn backend_pid(pool: &ReadPool) -> i32 {
        let row = pool
            .query_one(&statement("SELECT pg_backend_pid() AS pid", vec![]))
            .await
            .expect("query")
            .expect("a row");
        row.try_get("", "pid").expect("pid")
    }

    #[tokio::test]
    async fn a_connection_is_reused_until_a_statement_on_it_is_cut_off() {
        let Some(url) = postgres_url() else { return };
        let pool = ReadPool::new(&url, Vec::new(), 1, 0, Duration::from_secs(5)).expect("pool");
        let first = backend_pid(&pool).await;
        assert_eq!(backend_pid(&pool).await, first, "a settled connection is reused");

        let cut = tokio::time::timeout(
            Duration::from_millis(200),
            pool.query_one(&statement("SELECT pg_sleep(5)", vec![])),
        )
        .await;
        assert!(
            cut.is_err(),
            "the statement was still running when it was dropped"
        );

        let started = std::time::Instant::now();
        let next = backend_pid(&pool).await;
        assert_ne!(next, first, "the cut-off connection is not reused");
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "the next read does not wait for the cut-off statement"
        );
        assert_eq!(pool.stats().0, 1, "the pool stays within its size");
    }

    #[tokio::test]
    async fn concurrent_reads_with_cancellations_each_get_their_own_rows() {
        let Some(url) = postgres_url() else { return };
        let pool = Arc::new(ReadPool::new(&url, Vec::new(), 4, 0, Duration::from_secs(10)).expect("pool"));
        let reads = (0..100_i64).map(|n| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let read = statement(
                    "SELECT $1::int8 AS n, pg_sleep(CASE WHEN $1::int8 % 10 = 0 THEN 1 ELSE 0 END)::text AS s",
                    vec![n.into()],
                );
                let deadline = if n % 10 == 0 { 50 } else { 10_000 };
                let outcome =
                    tokio::time::timeout(Duration::from_millis(deadline), pool.query_all(&read)).await;
                (n, outcome)
            })
        });
        for joined in join_all(reads).await {
            let (n, outcome) = joined.expect("task");
            match outcome {
                Err(_) => assert_eq!(n % 10, 0, "only the slow reads were cut off"),
                Ok(rows) => {
                    let rows = rows.expect("read");
                    assert_eq!(rows.len(), 1);
                    assert_eq!(rows[0].try_get::<i64>("", "n").expect("n"), n, "its own row");
                }
            }
        }
        let (size, _) = pool.stats();
        assert!(size <= 4, "at most the pool's size is open: {size}");
    }

    #[tokio::test]
    async fn a_pool_that_cannot_connect_reports_a_connection_error() {
        let pool = ReadPool::new(
            "postgres://postgres@127.0.0.1:1/none",
            Vec::new(),
            1,
            0,
            Duration::from_secs(2),
        )
        .expect("pool");
        let refused = pool.query_one(&statement("SELECT 1", vec![])).await;
        assert!(
            crate::connection_loss::is_connection_lost(&refused.expect_err("refused")),
            "a refused connection is a lost one: the caller may try again"
        );
    }

    #[tokio::test]
    async fn idle_connections_beyond_the_kept_ones_are_closed() {
        let Some(url) = postgres_url() else { return };
        let pool = Arc::new(ReadPool::new(&url, Vec::new(), 3, 1, Duration::from_secs(10)).expect("pool"));
        let hold = statement("SELECT pg_sleep(0.2)::text AS s", vec![]);
        let reads = (0..3).map(|_| {
            let (pool, hold) = (pool.clone(), hold.clone());
            tokio::spawn(async move { pool.query_all(&hold).await.map(|rows| rows.len()) })
        });
        for read in join_all(reads).await {
            assert_eq!(read.expect("task").expect("read"), 1);
        }
        assert_eq!(pool.stats(), (3, 3), "three connections opened, all idle now");

        assert!(
            sweep(&pool.pool, 1, Duration::from_secs(60)).is_empty(),
            "recently used connections stay"
        );
        let closed = sweep(&pool.pool, 1, Duration::ZERO);
        assert_eq!(closed.len(), 2, "all idle ones but the kept one are taken out");
        for connection in closed {
            connection.conn.close().await.expect("a graceful close");
        }
        assert_eq!(pool.stats(), (1, 1));
        assert!(backend_pid(&pool).await > 0, "the kept connection still serves");
    }
}

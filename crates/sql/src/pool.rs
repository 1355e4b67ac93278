//! The pool the adapters query through. Connections are not pinged before each use (that is one
//! round trip more per statement); instead a read, a ping or a `BEGIN` that meets a connection the
//! database dropped (a restart, a failover, a terminated backend) runs again on another one. sqlx
//! closes a connection that failed once it is back in the pool, so the retries end with a fresh
//! connection. Writes outside a transaction are not repeated: they may have run.
//!
//! On PostgreSQL, single reads outside a transaction run on a [`ReadPool`], which does without
//! sqlx's ping on every release; writes and transactions keep SeaORM's pool.

use std::future::Future;

use crate::{connection_loss::is_connection_lost, read_pool::ReadPool};

use async_trait::async_trait;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, ExecResult, QueryResult, Statement};

/// A SeaORM connection pool whose reads survive dropped connections.
#[derive(Debug, Clone)]
pub struct Pool {
    inner: DatabaseConnection,
    reads: Option<ReadPool>,
    attempts: usize,
}

impl Pool {
    /// Wraps `inner` and, on PostgreSQL, `reads`; each holds at most `max_connections`: that many
    /// stale connections at most are met before a fresh one.
    pub(crate) fn new(inner: DatabaseConnection, reads: Option<ReadPool>, max_connections: u32) -> Self {
        Self {
            inner,
            reads,
            attempts: max_connections as usize + 1,
        }
    }

    /// The pool of single reads, on PostgreSQL.
    pub(crate) fn reads(&self) -> Option<&ReadPool> {
        self.reads.as_ref()
    }

    /// The SeaORM connection itself (no retries), for migrations and pool statistics.
    pub fn raw(&self) -> &DatabaseConnection {
        &self.inner
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.retrying(|| self.inner.ping()).await
    }

    /// Runs `attempt` again while it fails because its connection was lost.
    pub(crate) async fn retrying<T, F, Fut>(&self, mut attempt: F) -> Result<T, DbErr>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, DbErr>>,
    {
        let mut left = self.attempts;
        loop {
            match attempt().await {
                Err(error) if left > 1 && is_connection_lost(&error) => {
                    tracing::debug!(%error, "database connection lost; trying another");
                    left -= 1;
                }
                result => return result,
            }
        }
    }
}

#[async_trait]
impl ConnectionTrait for Pool {
    fn get_database_backend(&self) -> DbBackend {
        self.inner.get_database_backend()
    }

    async fn execute_raw(&self, statement: Statement) -> Result<ExecResult, DbErr> {
        self.inner.execute_raw(statement).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.inner.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, statement: Statement) -> Result<Option<QueryResult>, DbErr> {
        match &self.reads {
            Some(reads) => self.retrying(|| reads.query_one(&statement)).await,
            None => {
                self.retrying(|| self.inner.query_one_raw(statement.clone()))
                    .await
            }
        }
    }

    async fn query_all_raw(&self, statement: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match &self.reads {
            Some(reads) => self.retrying(|| reads.query_all(&statement)).await,
            None => {
                self.retrying(|| self.inner.query_all_raw(statement.clone()))
                    .await
            }
        }
    }

    fn support_returning(&self) -> bool {
        self.inner.support_returning()
    }
}

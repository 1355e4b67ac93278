//! The hot authenticated reads on PostgreSQL, each one statement and one round trip: the session's
//! holder and their access to the org on the left of a join whose right side is the data. A session
//! that is not live gives no row, so nothing of the data is read for it. The statements are written
//! out and their rows decoded by position, on the read pool: these are the requests every client
//! makes most, and building and decoding them through the query builder and the ORM took more of
//! the server's time than anything else.

mod columns;
mod statements;

use async_trait::async_trait;
use sea_orm::sqlx::postgres::PgRow;
use tenantry_domain::{
    Conversation, ConversationId, DomainError, OrgId,
    ports::{ConversationCursor, ConversationFilter, EventSegment, InSession, SessionProbe, SessionReads},
};

use crate::{SqlDatabase, errors::db_error};
use statements::Statement;

/// [`SessionReads`] on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PostgresSessionReads {
    db: SqlDatabase,
}

impl PostgresSessionReads {
    /// The reads over `db`; `None` unless it is PostgreSQL.
    pub fn new(db: &SqlDatabase) -> Option<Self> {
        db.conn.reads().map(|_| Self { db: db.clone() })
    }

    /// Runs `statement`: `None` when the session is not live.
    async fn read(
        &self,
        statement: Result<Statement, DomainError>,
    ) -> Result<Option<Vec<PgRow>>, DomainError> {
        let statement = statement?;
        let reads = self
            .db
            .conn
            .reads()
            .ok_or_else(|| DomainError::Internal("session reads need PostgreSQL".into()))?;
        let rows = self
            .db
            .conn
            .retrying(|| reads.fetch_rows(&statement.sql, &statement.arguments))
            .await
            .map_err(db_error)?;
        Ok((!rows.is_empty()).then_some(rows))
    }
}

/// `holder` with `data` in place of nothing.
fn with_data<T>(holder: InSession<()>, data: T) -> InSession<T> {
    InSession {
        holder: holder.holder,
        access: holder.access,
        data,
    }
}

#[async_trait]
impl SessionReads for PostgresSessionReads {
    async fn conversation(
        &self,
        session: &SessionProbe,
        org: OrgId,
        id: ConversationId,
    ) -> Result<Option<InSession<Option<Conversation>>>, DomainError> {
        let Some(rows) = self.read(statements::conversation(session, org, id)).await? else {
            return Ok(None);
        };
        let row = &rows[0];
        Ok(Some(with_data(
            columns::holder(row)?,
            columns::conversation(row)?,
        )))
    }

    async fn conversations(
        &self,
        session: &SessionProbe,
        org: OrgId,
        filter: &ConversationFilter,
        after: Option<ConversationCursor>,
        limit: u64,
    ) -> Result<Option<InSession<Vec<Conversation>>>, DomainError> {
        let statement = statements::page(session, org, filter, after, limit);
        let Some(rows) = self.read(statement).await? else {
            return Ok(None);
        };
        let mut page = Vec::with_capacity(rows.len());
        for row in &rows {
            page.extend(columns::conversation(row)?);
        }
        page.sort_unstable_by_key(|conversation| std::cmp::Reverse(filter.order.key(conversation)));
        Ok(Some(with_data(columns::holder(&rows[0])?, page)))
    }

    async fn event_window(
        &self,
        session: &SessionProbe,
        org: OrgId,
        id: ConversationId,
        start: i64,
        limit: i64,
    ) -> Result<Option<InSession<Option<(Conversation, Vec<EventSegment>)>>>, DomainError> {
        let statement = statements::window(session, org, id, start, limit);
        let Some(rows) = self.read(statement).await? else {
            return Ok(None);
        };
        let holder = columns::holder(&rows[0])?;
        let Some(conversation) = columns::conversation(&rows[0])? else {
            return Ok(Some(with_data(holder, None)));
        };
        let mut segments = Vec::with_capacity(rows.len());
        for row in &rows {
            segments.extend(columns::segment(row, org, id)?);
        }
        segments.sort_unstable_by_key(|segment| segment.first_id);
        Ok(Some(with_data(holder, Some((conversation, segments)))))
    }
}

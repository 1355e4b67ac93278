//! The hot authenticated reads, each one statement: the session's holder and their access to the
//! org on the left of a join whose right side is the data. A session that is not live gives no row,
//! so nothing of the data is read for it.

use async_trait::async_trait;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, IdenStatic, QueryFilter, QueryResult,
    QueryTrait,
    prelude::DateTimeUtc,
    sea_query::{Alias, Asterisk, Expr, ExprTrait, JoinType, Query, SelectStatement},
};
use tenantry_domain::{
    Conversation, ConversationId, DomainError, Email, OrgId, User,
    ports::{ConversationCursor, ConversationFilter, EventSegment, InSession, SessionProbe, SessionReads},
    session::SignInMethod,
};
use uuid::Uuid;

use crate::{
    SqlConversationStore,
    conversation_store::{
        MEMBER_ROLE, ORG_REQUIRE_MFA, ORG_REQUIRE_SSO, access_of, conversation_of, in_org, member_role,
        org_flag, page_query, segments_of, window_query,
    },
    entities::{conversations, orgs, sessions, users},
    errors::{corrupt, db_error},
};

/// The prefix of the holder's columns, which keeps them apart from the data's.
const HOLDER: &str = "holder_";
/// The aliases of the two sides of the join.
const HOLDER_SIDE: &str = "holder";
const DATA_SIDE: &str = "data";

/// The holder's columns (`holder_`-prefixed): the user as the domain sees it (never the password
/// hash) and how the session was signed in.
#[derive(FromQueryResult)]
struct HolderRow {
    id: Uuid,
    email: String,
    name: String,
    email_verified_at: Option<DateTimeUtc>,
    current_org_id: Option<Uuid>,
    is_superadmin: bool,
    token_epoch: i64,
    disabled_at: Option<DateTimeUtc>,
    mfa_enabled_at: Option<DateTimeUtc>,
    created_at: DateTimeUtc,
    sign_in_method: String,
}

const HOLDER_USER_COLUMNS: [users::Column; 10] = [
    users::Column::Id,
    users::Column::Email,
    users::Column::Name,
    users::Column::EmailVerifiedAt,
    users::Column::CurrentOrgId,
    users::Column::IsSuperadmin,
    users::Column::TokenEpoch,
    users::Column::DisabledAt,
    users::Column::MfaEnabledAt,
    users::Column::CreatedAt,
];

/// One row while `session` is live: its holder, and their role and the policy of `org`.
fn holder_query(session: &SessionProbe, org: OrgId) -> SelectStatement {
    let mut select = Query::select();
    for column in HOLDER_USER_COLUMNS {
        select.expr_as(
            Expr::col((users::Entity, column)),
            Alias::new(format!("{HOLDER}{}", column.as_str())),
        );
    }
    select
        .expr_as(
            Expr::col((sessions::Entity, sessions::Column::SignInMethod)),
            Alias::new(format!("{HOLDER}sign_in_method")),
        )
        .expr_as(member_role(org, session.user), MEMBER_ROLE)
        .expr_as(org_flag(org, orgs::Column::RequireMfa), ORG_REQUIRE_MFA)
        .expr_as(org_flag(org, orgs::Column::RequireSso), ORG_REQUIRE_SSO)
        .from(users::Entity)
        .inner_join(
            sessions::Entity,
            Expr::col((sessions::Entity, sessions::Column::UserId))
                .equals((users::Entity, users::Column::Id)),
        )
        .and_where(users::Column::Id.eq(session.user))
        .and_where(sessions::Column::Id.eq(session.session))
        .and_where(sessions::Column::RevokedAt.is_null())
        .and_where(sessions::Column::ExpiresAt.gt(session.now));
    select
}

/// The holder's row beside every row of `data` (once with nulls when `data` has none). The join
/// promises no order, and sorting its wide rows costs the database more than the rest of the read,
/// so callers order what they decode.
fn in_session(session: &SessionProbe, org: OrgId, data: SelectStatement) -> SelectStatement {
    let mut select = Query::select();
    select
        .column((Alias::new(HOLDER_SIDE), Asterisk))
        .column((Alias::new(DATA_SIDE), Asterisk))
        .from_subquery(holder_query(session, org), Alias::new(HOLDER_SIDE))
        .join_subquery(
            JoinType::LeftJoin,
            data,
            Alias::new(DATA_SIDE),
            Expr::cust("1 = 1"),
        );
    select
}

/// The session's holder and their access to the org, from any row of an [`in_session`] read.
fn holder_of(row: &QueryResult) -> Result<InSession<()>, DomainError> {
    let holder = HolderRow::from_query_result(row, HOLDER).map_err(|_| corrupt("session"))?;
    let method = SignInMethod::parse(&holder.sign_in_method).ok_or_else(|| corrupt("session"))?;
    let user = User {
        id: holder.id,
        email: Email::parse(&holder.email).map_err(|_| corrupt("user"))?,
        name: holder.name,
        email_verified_at: holder.email_verified_at,
        current_org_id: holder.current_org_id,
        is_superadmin: holder.is_superadmin,
        token_epoch: holder.token_epoch,
        disabled_at: holder.disabled_at,
        mfa_enabled_at: holder.mfa_enabled_at,
        created_at: holder.created_at,
    };
    Ok(InSession {
        holder: (user, method),
        access: access_of(row)?,
        data: (),
    })
}

/// The conversation on a row of an [`in_session`] read, if the data side has one.
fn conversation_on(row: &QueryResult) -> Result<Option<Conversation>, DomainError> {
    let present = row
        .try_get::<Option<Uuid>>("", conversations::Column::Id.as_str())
        .map_err(|_| corrupt("conversation"))?
        .is_some();
    if !present {
        return Ok(None);
    }
    conversation_of(row).map(Some)
}

impl SqlConversationStore {
    /// Runs an [`in_session`] read: `None` when the session is not live.
    async fn read_in_session(
        &self,
        query: &SelectStatement,
    ) -> Result<Option<Vec<QueryResult>>, DomainError> {
        let rows = self.db.conn.query_all(query).await.map_err(db_error)?;
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
impl SessionReads for SqlConversationStore {
    async fn conversation(
        &self,
        session: &SessionProbe,
        org: OrgId,
        id: ConversationId,
    ) -> Result<Option<InSession<Option<Conversation>>>, DomainError> {
        let data = conversations::Entity::find().filter(in_org(org, id)).into_query();
        let Some(rows) = self.read_in_session(&in_session(session, org, data)).await? else {
            return Ok(None);
        };
        let row = &rows[0];
        Ok(Some(with_data(holder_of(row)?, conversation_on(row)?)))
    }

    async fn conversations(
        &self,
        session: &SessionProbe,
        org: OrgId,
        filter: &ConversationFilter,
        after: Option<ConversationCursor>,
        limit: u64,
    ) -> Result<Option<InSession<Vec<Conversation>>>, DomainError> {
        let data = page_query(org, filter, after, limit);
        let Some(rows) = self.read_in_session(&in_session(session, org, data)).await? else {
            return Ok(None);
        };
        let mut page = Vec::with_capacity(rows.len());
        for row in &rows {
            page.extend(conversation_on(row)?);
        }
        page.sort_unstable_by_key(|conversation| {
            std::cmp::Reverse((conversation.last_updated_at, conversation.id))
        });
        Ok(Some(with_data(holder_of(&rows[0])?, page)))
    }

    async fn event_window(
        &self,
        session: &SessionProbe,
        org: OrgId,
        id: ConversationId,
        start: i64,
        limit: i64,
    ) -> Result<Option<InSession<Option<(Conversation, Vec<EventSegment>)>>>, DomainError> {
        let data = window_query(org, id, start, limit);
        let query = in_session(session, org, data);
        let Some(rows) = self.read_in_session(&query).await? else {
            return Ok(None);
        };
        let holder = holder_of(&rows[0])?;
        let window = match conversation_on(&rows[0])? {
            Some(conversation) => Some((conversation, segments_of(&rows, org, id)?)),
            None => None,
        };
        Ok(Some(with_data(holder, window)))
    }
}

//! The statements of the session reads, written out: each request appends text and binds values,
//! with no query tree to build and render, and the columns come in the fixed order
//! [`super::columns`] reads them in.

use sea_orm::sqlx::{Arguments, Encode, Postgres, Type, postgres::PgArguments};
use tenantry_domain::{
    ConversationId, DomainError, OrgId, Visibility,
    conversation_order::ConversationOrder,
    ports::{ConversationCursor, ConversationFilter, SessionProbe},
};

use crate::conversation_store::contains_pattern;

/// The holder's columns, in the order [`super::columns::holder`] reads them: the user as the
/// domain sees it (never the password hash), how the session was signed in, the holder's role in
/// the org and the org's policy.
const HOLDER_COLUMNS: &str = "u.id, u.email, u.name, u.email_verified_at, u.current_org_id, \
     u.is_superadmin, u.token_epoch, u.disabled_at, u.mfa_enabled_at, u.created_at, s.sign_in_method, s.sso_provider";

/// How many columns come before the data's.
pub(super) const HOLDER_WIDTH: usize = 15;

/// A conversation's columns, in the order [`super::columns::conversation`] reads them.
pub(super) const CONVERSATION_COLUMNS: [&str; 21] = [
    "id",
    "org_id",
    "created_by",
    "title",
    "selected_repository",
    "selected_branch",
    "git_provider",
    "trigger",
    "llm_model",
    "visibility",
    "pr_number",
    "accumulated_cost_micros",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "event_count",
    "sandbox_id",
    "execution_status",
    "created_at",
    "last_updated_at",
    "over_budget",
];

/// SQL text and the values bound to its placeholders.
pub(super) struct Statement {
    pub(super) sql: String,
    pub(super) arguments: PgArguments,
}

impl Statement {
    fn new() -> Self {
        Self {
            sql: String::with_capacity(1536),
            arguments: PgArguments::default(),
        }
    }

    /// Binds `value` and returns its placeholder.
    fn bind<'q, T>(&mut self, value: T) -> Result<String, DomainError>
    where
        T: Encode<'q, Postgres> + Type<Postgres> + 'q,
    {
        self.arguments
            .add(value)
            .map_err(|error| DomainError::Internal(format!("cannot bind a value: {error}")))?;
        Ok(format!("${}", self.arguments.len()))
    }

    fn push(&mut self, text: &str) {
        self.sql.push_str(text);
    }

    /// `c.<column>, …` for every conversation column.
    fn push_conversation_columns(&mut self) {
        for (index, column) in CONVERSATION_COLUMNS.iter().enumerate() {
            if index > 0 {
                self.push(", ");
            }
            self.push("c.");
            self.push(column);
        }
    }
}

/// The holder's row, once while `session` is live, beside every row the data part appended by
/// `data` returns (once with nulls when it returns none). `data` gets the statement and the
/// placeholders of the org and the session's user. The join promises no order: sorting its wide
/// rows costs the database more than the rest of the read, so callers order what they decode.
fn in_session(
    session: &SessionProbe,
    org: OrgId,
    data: impl FnOnce(&mut Statement, &str, &str) -> Result<(), DomainError>,
) -> Result<Statement, DomainError> {
    let mut statement = Statement::new();
    let org = statement.bind(org)?;
    let user = statement.bind(session.user)?;
    let id = statement.bind(session.session)?;
    let now = statement.bind(session.now)?;
    statement.push("SELECT ");
    statement.push(HOLDER_COLUMNS);
    statement.push(&format!(
        ", (SELECT m.role FROM org_members m WHERE m.org_id = {org} AND m.user_id = {user}), \
         (SELECT o.require_mfa FROM orgs o WHERE o.id = {org}), \
         (SELECT o.require_sso FROM orgs o WHERE o.id = {org}), data.* \
         FROM users u JOIN sessions s ON s.user_id = u.id LEFT JOIN ("
    ));
    data(&mut statement, &org, &user)?;
    statement.push(&format!(
        ") data ON true WHERE u.id = {user} AND s.id = {id} AND s.revoked_at IS NULL AND s.expires_at > {now}"
    ));
    Ok(statement)
}

/// Conversation `id` of `org`, in `session`.
pub(super) fn conversation(
    session: &SessionProbe,
    org: OrgId,
    id: ConversationId,
) -> Result<Statement, DomainError> {
    in_session(session, org, |statement, org, _| {
        let id = statement.bind(id)?;
        statement.push("SELECT ");
        statement.push_conversation_columns();
        statement.push(&format!(
            " FROM conversations c WHERE c.id = {id} AND c.org_id = {org}"
        ));
        Ok(())
    })
}

/// A page of what `filter` shows in `org` to a member (nothing to a stranger), newest first by
/// `last_updated_at` or `created_at` as `filter.order` says (ties by id), strictly after `after`,
/// in `session`.
pub(super) fn page(
    session: &SessionProbe,
    org: OrgId,
    filter: &ConversationFilter,
    after: Option<ConversationCursor>,
    limit: u64,
) -> Result<Statement, DomainError> {
    in_session(session, org, |statement, org, _| {
        let reader = statement.bind(filter.reader)?;
        statement.push("SELECT ");
        statement.push_conversation_columns();
        statement.push(&format!(
            " FROM conversations c WHERE c.org_id = {org} AND EXISTS \
             (SELECT 1 FROM org_members m WHERE m.org_id = {org} AND m.user_id = {reader})"
        ));
        if filter.mine {
            statement.push(&format!(" AND c.created_by = {reader}"));
        } else {
            let shared = statement.bind(Visibility::Org.name())?;
            statement.push(&format!(
                " AND (c.visibility = {shared} OR c.created_by = {reader}"
            ));
            if !filter.private_visible_to.is_empty() {
                let roles: Vec<&str> = filter.private_visible_to.iter().map(|role| role.name()).collect();
                let roles = statement.bind(roles)?;
                statement.push(&format!(
                    " OR EXISTS (SELECT 1 FROM org_members m WHERE m.org_id = {org} \
                     AND m.user_id = {reader} AND m.role = ANY({roles}))"
                ));
            }
            statement.push(")");
        }
        if let Some(status) = &filter.execution_status {
            let status = statement.bind(status.as_str())?;
            statement.push(&format!(" AND c.execution_status = {status}"));
        }
        if let Some(repository) = &filter.repository {
            let repository = statement.bind(repository.as_str())?;
            statement.push(&format!(" AND c.selected_repository = {repository}"));
        }
        if let Some(sandbox) = filter.sandbox {
            let sandbox = statement.bind(sandbox)?;
            statement.push(&format!(" AND c.sandbox_id = {sandbox}"));
        }
        // Column names, never input.
        for (column, range) in [
            ("c.created_at", filter.created),
            ("c.last_updated_at", filter.updated),
        ] {
            if let Some(from) = range.from {
                let from = statement.bind(from)?;
                statement.push(&format!(" AND {column} >= {from}"));
            }
            if let Some(before) = range.before {
                let before = statement.bind(before)?;
                statement.push(&format!(" AND {column} < {before}"));
            }
        }
        if let Some(text) = &filter.title_contains {
            let pattern = statement.bind(contains_pattern(text))?;
            statement.push(&format!(" AND lower(c.title) LIKE {pattern} ESCAPE '\\'"));
        }
        // A column name, never input: the order is one of two.
        let key = match filter.order {
            ConversationOrder::Updated => "c.last_updated_at",
            ConversationOrder::Created => "c.created_at",
        };
        if let Some(cursor) = after {
            let at = statement.bind(cursor.at)?;
            let id = statement.bind(cursor.id)?;
            statement.push(&format!(" AND ({key} < {at} OR ({key} = {at} AND c.id < {id}))"));
        }
        let limit = statement.bind(i64::try_from(limit).unwrap_or(i64::MAX))?;
        statement.push(&format!(" ORDER BY {key} DESC, c.id DESC LIMIT {limit}"));
        Ok(())
    })
}

/// Conversation `id` of `org` once per segment holding its visible events `start..start+limit`
/// (in no particular order), or once with no segment, in `session`. The segment's first id, last
/// id and batch follow the conversation's columns.
pub(super) fn window(
    session: &SessionProbe,
    org: OrgId,
    id: ConversationId,
    start: i64,
    limit: i64,
) -> Result<Statement, DomainError> {
    in_session(session, org, |statement, org, _| {
        let id = statement.bind(id)?;
        let wanted_end = statement.bind(start.saturating_add(limit))?;
        let start = statement.bind(start)?;
        statement.push("SELECT ");
        statement.push_conversation_columns();
        statement.push(&format!(
            ", e.first_id, e.last_id, e.batch_id FROM conversations c LEFT JOIN event_segments e \
             ON e.conversation_id = c.id AND e.first_id < LEAST(c.event_count, {wanted_end}) \
             AND e.last_id >= {start} WHERE c.id = {id} AND c.org_id = {org}"
        ));
        Ok(())
    })
}

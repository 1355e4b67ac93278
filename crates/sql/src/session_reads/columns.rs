//! Rows of the session reads decoded by position, in the order [`super::statements`] selects
//! their columns: no column name is looked up or formatted per value.

use chrono::{DateTime, Utc};
use sea_orm::sqlx::{Decode, Postgres, Row, Type, postgres::PgRow, types::Json};
use tenantry_domain::{
    Conversation, ConversationId, DomainError, Email, OrgId, User, Visibility,
    org_policy::{AccessPolicy, MemberAccess},
    ports::{EventSegment, InSession},
    session::SignInMethod,
};
use uuid::Uuid;

use super::statements::{CONVERSATION_COLUMNS, HOLDER_WIDTH};
use crate::{errors::corrupt, org_store::rows::role_from_row};

/// Reads a row's columns one after the other.
struct Columns<'r> {
    row: &'r PgRow,
    next: usize,
    what: &'static str,
}

impl<'r> Columns<'r> {
    fn at(row: &'r PgRow, first: usize, what: &'static str) -> Self {
        Self {
            row,
            next: first,
            what,
        }
    }

    fn take<T>(&mut self) -> Result<T, DomainError>
    where
        T: Decode<'r, Postgres> + Type<Postgres>,
    {
        let value = self.row.try_get(self.next).map_err(|_| corrupt(self.what))?;
        self.next += 1;
        Ok(value)
    }
}

/// The session's holder and their access to the org, from any row of a session read.
pub(super) fn holder(row: &PgRow) -> Result<InSession<()>, DomainError> {
    let mut columns = Columns::at(row, 0, "session");
    let user = User {
        id: columns.take()?,
        email: Email::parse(columns.take()?).map_err(|_| corrupt("user"))?,
        name: columns.take()?,
        email_verified_at: columns.take()?,
        current_org_id: columns.take()?,
        is_superadmin: columns.take()?,
        token_epoch: columns.take()?,
        disabled_at: columns.take()?,
        mfa_enabled_at: columns.take()?,
        created_at: columns.take()?,
    };
    let method_name: &str = columns.take()?;
    let sso_source: Option<&str> = columns.take()?;
    let method = SignInMethod::parse(method_name, sso_source).ok_or_else(|| corrupt("session"))?;
    let role: Option<&str> = columns.take()?;
    let require_mfa: Option<bool> = columns.take()?;
    let require_sso: Option<bool> = columns.take()?;
    debug_assert_eq!(columns.next, HOLDER_WIDTH);
    let access = match role {
        None => None,
        Some(role) => Some(MemberAccess {
            role: role_from_row(role)?,
            policy: AccessPolicy {
                require_mfa: require_mfa.unwrap_or_default(),
                require_sso: require_sso.unwrap_or_default(),
            },
        }),
    };
    Ok(InSession {
        holder: (user, method),
        access,
        data: (),
    })
}

/// The conversation on a row of a session read, if the data side has one.
pub(super) fn conversation(row: &PgRow) -> Result<Option<Conversation>, DomainError> {
    let mut columns = Columns::at(row, HOLDER_WIDTH, "conversation");
    let Some(id) = columns.take::<Option<Uuid>>()? else {
        return Ok(None);
    };
    let conversation = Conversation {
        id,
        org_id: columns.take()?,
        created_by: columns.take()?,
        title: columns.take()?,
        selected_repository: columns.take()?,
        selected_branch: columns.take()?,
        git_provider: columns.take()?,
        trigger: columns.take()?,
        llm_model: columns.take()?,
        visibility: Visibility::parse(columns.take()?).map_err(|_| corrupt("conversation visibility"))?,
        pr_number: columns.take::<Json<Vec<i64>>>()?.0,
        accumulated_cost: columns.take()?,
        prompt_tokens: columns.take()?,
        completion_tokens: columns.take()?,
        total_tokens: columns.take()?,
        event_count: columns.take()?,
        sandbox_id: columns.take()?,
        execution_status: columns
            .take::<Option<String>>()?
            .as_deref()
            .and_then(tenantry_domain::conversations::execution_status::ExecutionStatus::parse),
        created_at: columns.take::<DateTime<Utc>>()?,
        last_updated_at: columns.take::<DateTime<Utc>>()?,
        over_budget: columns.take()?,
    };
    debug_assert_eq!(columns.next, HOLDER_WIDTH + CONVERSATION_COLUMNS.len());
    Ok(Some(conversation))
}

/// The segment after the conversation on a row of an event window read, if there is one.
pub(super) fn segment(
    row: &PgRow,
    org: OrgId,
    conversation: ConversationId,
) -> Result<Option<EventSegment>, DomainError> {
    let mut columns = Columns::at(row, HOLDER_WIDTH + CONVERSATION_COLUMNS.len(), "event segment");
    let (Some(first_id), Some(last_id)) = (columns.take::<Option<i64>>()?, columns.take::<Option<i64>>()?)
    else {
        return Ok(None);
    };
    Ok(Some(EventSegment {
        org_id: org,
        conversation_id: conversation,
        first_id,
        last_id,
        object: columns.take()?,
    }))
}

#[cfg(test)]
mod tests {
    use sea_orm::{IdenStatic, Iterable};

    use super::*;
    use crate::entities::conversations;

    #[test]
    fn every_conversation_column_is_read_once_in_the_entity_order() {
        let entity: Vec<&str> = conversations::Column::iter()
            .map(|column| column.as_str())
            .collect();
        assert_eq!(entity, CONVERSATION_COLUMNS);
    }
}

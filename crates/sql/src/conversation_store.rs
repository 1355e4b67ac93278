//! Conversation metadata, usage counters and event bookkeeping.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QueryResult, QuerySelect, QueryTrait,
    sea_query::{Expr, ExprTrait, Func, LikeExpr, Query, SelectStatement},
};
use tenantry_domain::{
    AuditEntry, Conversation, ConversationId, DomainError, OrgId, Role, UserId, Visibility,
    budget::SpendRecorded,
    conversation_order::ConversationOrder,
    conversations::execution_status::ExecutionStatus,
    new_id,
    org_policy::{AccessPolicy, MemberAccess},
    ports::{
        ConversationCursor, ConversationFilter, ConversationPatch, ConversationWindow, Conversations,
        EventIndex, EventSegment, PendingPurge, PurgeQueue, UsageReport,
    },
    spend::usage_charge::UsageDelta,
    usage_bounds::{MAX_USAGE_TOTAL, total_exceeded},
};

use crate::{
    SqlDatabase,
    conversation_rows::conversation_row,
    entities::{conversations, event_segments, org_members, orgs, pending_purges},
    errors::{corrupt, db_error},
    org_store::{audit, rows::role_from_row},
    spend_rows::{SpendSubject, record_spend},
    transaction::begin_write,
};

/// Conversations, their event index and purge queue on SQL.
#[derive(Debug, Clone)]
pub struct SqlConversationStore {
    pub(crate) db: SqlDatabase,
}

impl SqlConversationStore {
    /// The store over an open database.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

/// The column that carries the reader's role next to the rows of a read.
pub(crate) const MEMBER_ROLE: &str = "member_role";
/// The columns that carry the org's access policy beside it.
pub(crate) const ORG_REQUIRE_MFA: &str = "org_require_mfa";
pub(crate) const ORG_REQUIRE_SSO: &str = "org_require_sso";
/// The columns that carry an event segment next to its conversation.
const SEGMENT_FIRST: &str = "segment_first_id";
const SEGMENT_LAST: &str = "segment_last_id";
const SEGMENT_BATCH: &str = "segment_batch_id";

/// `reader`'s role in `org`, as a scalar sub-query (NULL for a stranger).
pub(crate) fn member_role(org: OrgId, reader: UserId) -> Expr {
    Expr::SubQuery(
        None,
        Box::new(
            Query::select()
                .column(org_members::Column::Role)
                .from(org_members::Entity)
                .and_where(org_members::Column::OrgId.eq(org))
                .and_where(org_members::Column::UserId.eq(reader))
                .to_owned()
                .into(),
        ),
    )
}

/// The membership of `reader` in `org`, with one of `roles` if given, for `EXISTS`.
fn membership(org: OrgId, reader: UserId, roles: Option<&[Role]>) -> SelectStatement {
    let mut select = Query::select();
    select
        .expr(Expr::val(1))
        .from(org_members::Entity)
        .and_where(org_members::Column::OrgId.eq(org))
        .and_where(org_members::Column::UserId.eq(reader));
    if let Some(roles) = roles {
        select.and_where(org_members::Column::Role.is_in(roles.iter().map(|role| role.name())));
    }
    select.to_owned()
}

/// One of the org's policy flags, as a scalar sub-query.
pub(crate) fn org_flag(org: OrgId, flag: orgs::Column) -> Expr {
    Expr::SubQuery(
        None,
        Box::new(
            Query::select()
                .column(flag)
                .from(orgs::Entity)
                .and_where(orgs::Column::Id.eq(org))
                .to_owned()
                .into(),
        ),
    )
}

/// The reader's role and the org's access policy, from the columns beside a read (`None`: a
/// stranger).
pub(crate) fn access_of(row: &QueryResult) -> Result<Option<MemberAccess>, DomainError> {
    let Some(role) = row
        .try_get::<Option<String>>("", MEMBER_ROLE)
        .map_err(|_| corrupt("member role"))?
    else {
        return Ok(None);
    };
    let flag = |column: &str| {
        row.try_get::<Option<bool>>("", column)
            .map(Option::unwrap_or_default)
            .map_err(|_| corrupt("org policy"))
    };
    Ok(Some(MemberAccess {
        role: role_from_row(&role)?,
        policy: AccessPolicy {
            require_mfa: flag(ORG_REQUIRE_MFA)?,
            require_sso: flag(ORG_REQUIRE_SSO)?,
        },
    }))
}

/// A conversation row with the reader's access beside it.
fn with_role(row: &QueryResult) -> Result<(Conversation, Option<MemberAccess>), DomainError> {
    Ok((conversation_of(row)?, access_of(row)?))
}

/// The conversation whose columns a row carries (unprefixed).
pub(crate) fn conversation_of(row: &QueryResult) -> Result<Conversation, DomainError> {
    let model = conversations::Model::from_query_result(row, "").map_err(|_| corrupt("conversation"))?;
    from_row(model)
}

pub(crate) fn from_row(row: conversations::Model) -> Result<Conversation, DomainError> {
    Ok(Conversation {
        id: row.id,
        org_id: row.org_id,
        created_by: row.created_by,
        title: row.title,
        selected_repository: row.selected_repository,
        selected_branch: row.selected_branch,
        git_provider: row.git_provider,
        trigger: row.trigger,
        llm_model: row.llm_model,
        visibility: Visibility::parse(&row.visibility)
            .map_err(|_| DomainError::Internal("stored visibility invalid".into()))?,
        pr_number: serde_json::from_value(row.pr_number).map_err(|_| corrupt("conversation pr_number"))?,
        accumulated_cost: row.accumulated_cost_micros,
        prompt_tokens: row.prompt_tokens,
        completion_tokens: row.completion_tokens,
        total_tokens: row.total_tokens,
        event_count: row.event_count,
        sandbox_id: row.sandbox_id,
        execution_status: row.execution_status.as_deref().and_then(ExecutionStatus::parse),
        created_at: row.created_at,
        last_updated_at: row.last_updated_at,
        over_budget: row.over_budget,
    })
}

/// A page of what `filter` shows in `org` to a member (nothing to a stranger), newest first by
/// `last_updated_at` or `created_at` as `filter.order` says (ties by id), strictly after `after`.
pub(crate) fn page_query(
    org: OrgId,
    filter: &ConversationFilter,
    after: Option<ConversationCursor>,
    limit: u64,
) -> SelectStatement {
    use conversations::Column;
    let mut query = conversations::Entity::find()
        .filter(Column::OrgId.eq(org))
        .filter(Expr::exists(membership(org, filter.reader, None)));
    if filter.mine {
        query = query.filter(Column::CreatedBy.eq(filter.reader));
    } else {
        let mut visible = Condition::any()
            .add(Column::Visibility.eq(Visibility::Org.name()))
            .add(Column::CreatedBy.eq(filter.reader));
        if !filter.private_visible_to.is_empty() {
            visible = visible.add(Expr::exists(membership(
                org,
                filter.reader,
                Some(&filter.private_visible_to),
            )));
        }
        query = query.filter(visible);
    }
    if let Some(status) = &filter.execution_status {
        query = query.filter(Column::ExecutionStatus.eq(status.as_str()));
    }
    if let Some(repository) = &filter.repository {
        query = query.filter(Column::SelectedRepository.eq(repository.as_str()));
    }
    if let Some(sandbox) = filter.sandbox {
        query = query.filter(Column::SandboxId.eq(sandbox));
    }
    for (column, range) in [
        (Column::CreatedAt, filter.created),
        (Column::LastUpdatedAt, filter.updated),
    ] {
        if let Some(from) = range.from {
            query = query.filter(column.gte(from));
        }
        if let Some(before) = range.before {
            query = query.filter(column.lt(before));
        }
    }
    if let Some(text) = &filter.title_contains {
        let lowered_title = Expr::expr(Func::lower(Expr::col(Column::Title)));
        query = query.filter(lowered_title.like(LikeExpr::new(contains_pattern(text)).escape('\\')));
    }
    let key = match filter.order {
        ConversationOrder::Updated => Column::LastUpdatedAt,
        ConversationOrder::Created => Column::CreatedAt,
    };
    if let Some(cursor) = after {
        query = query.filter(
            Condition::any().add(key.lt(cursor.at)).add(
                Condition::all()
                    .add(key.eq(cursor.at))
                    .add(Column::Id.lt(cursor.id)),
            ),
        );
    }
    query
        .order_by_desc(key)
        .order_by_desc(Column::Id)
        .limit(limit)
        .into_query()
}

/// Conversation `id` of `org`, once per segment holding its visible events `start..start+limit`
/// (in no particular order: [`segments_of`] orders them), or once with no segment.
pub(crate) fn window_query(org: OrgId, id: ConversationId, start: i64, limit: i64) -> SelectStatement {
    use event_segments::Column as Segment;
    let wanted_end = start.saturating_add(limit);
    let event_count = Expr::col((conversations::Entity, conversations::Column::EventCount));
    let end = Expr::case(event_count.clone().lt(wanted_end), event_count).finally(wanted_end);
    let mut query = conversations::Entity::find()
        .filter(in_org(org, id))
        .expr_as(
            Expr::col((event_segments::Entity, Segment::FirstId)),
            SEGMENT_FIRST,
        )
        .expr_as(Expr::col((event_segments::Entity, Segment::LastId)), SEGMENT_LAST)
        .expr_as(
            Expr::col((event_segments::Entity, Segment::BatchId)),
            SEGMENT_BATCH,
        )
        .into_query();
    query.left_join(
        event_segments::Entity,
        Condition::all()
            .add(
                Expr::col((event_segments::Entity, Segment::ConversationId))
                    .equals((conversations::Entity, conversations::Column::Id)),
            )
            .add(Expr::col((event_segments::Entity, Segment::FirstId)).lt(end))
            .add(Expr::col((event_segments::Entity, Segment::LastId)).gte(start)),
    );
    query
}

/// The event segments beside the conversation rows of a [`window_query`], in id order.
pub(crate) fn segments_of(
    rows: &[QueryResult],
    org: OrgId,
    id: ConversationId,
) -> Result<Vec<EventSegment>, DomainError> {
    let mut segments = Vec::with_capacity(rows.len());
    for row in rows {
        let read = |column: &str| {
            row.try_get::<Option<i64>>("", column)
                .map_err(|_| corrupt("event segment"))
        };
        if let (Some(first_id), Some(last_id)) = (read(SEGMENT_FIRST)?, read(SEGMENT_LAST)?) {
            segments.push(EventSegment {
                org_id: org,
                conversation_id: id,
                first_id,
                last_id,
                object: row
                    .try_get::<Option<uuid::Uuid>>("", SEGMENT_BATCH)
                    .map_err(|_| corrupt("event segment"))?,
            });
        }
    }
    segments.sort_unstable_by_key(|segment| segment.first_id);
    Ok(segments)
}

pub(crate) fn in_org(org: OrgId, id: ConversationId) -> Condition {
    Condition::all()
        .add(conversations::Column::Id.eq(id))
        .add(conversations::Column::OrgId.eq(org))
}

/// `%text%` for LIKE, with the wildcards in `text` taken literally.
pub(crate) fn contains_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

pub(crate) async fn find_locked(
    conn: &impl ConnectionTrait,
    org: OrgId,
    id: ConversationId,
) -> Result<conversations::Model, DomainError> {
    conversations::Entity::find()
        .filter(in_org(org, id))
        .lock_exclusive()
        .one(conn)
        .await
        .map_err(db_error)?
        .ok_or(DomainError::NotFound)
}

#[async_trait]
impl Conversations for SqlConversationStore {
    async fn create(&self, conversation: &Conversation) -> Result<(), DomainError> {
        conversations::Entity::insert(conversation_row(conversation))
            .exec_without_returning(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn get(&self, org: OrgId, id: ConversationId) -> Result<Option<Conversation>, DomainError> {
        conversations::Entity::find()
            .filter(in_org(org, id))
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
            .map(from_row)
            .transpose()
    }

    async fn get_for(
        &self,
        org: OrgId,
        id: ConversationId,
        reader: UserId,
    ) -> Result<Option<(Conversation, Option<MemberAccess>)>, DomainError> {
        let query = conversations::Entity::find()
            .filter(in_org(org, id))
            .expr_as(member_role(org, reader), MEMBER_ROLE)
            .expr_as(org_flag(org, orgs::Column::RequireMfa), ORG_REQUIRE_MFA)
            .expr_as(org_flag(org, orgs::Column::RequireSso), ORG_REQUIRE_SSO)
            .into_query();
        self.db
            .conn
            .query_one(&query)
            .await
            .map_err(db_error)?
            .map(|row| with_role(&row))
            .transpose()
    }

    async fn list_for(
        &self,
        org: OrgId,
        filter: &ConversationFilter,
        after: Option<ConversationCursor>,
        limit: u64,
    ) -> Result<(Option<MemberAccess>, Vec<Conversation>), DomainError> {
        let mut query = page_query(org, filter, after, limit);
        query
            .expr_as(member_role(org, filter.reader), MEMBER_ROLE)
            .expr_as(org_flag(org, orgs::Column::RequireMfa), ORG_REQUIRE_MFA)
            .expr_as(org_flag(org, orgs::Column::RequireSso), ORG_REQUIRE_SSO);
        let rows = self.db.conn.query_all(&query).await.map_err(db_error)?;
        if rows.is_empty() {
            // Nothing to show: the role still tells a member from a stranger.
            let role = self
                .db
                .conn
                .query_one(
                    &Query::select()
                        .expr_as(member_role(org, filter.reader), MEMBER_ROLE)
                        .expr_as(org_flag(org, orgs::Column::RequireMfa), ORG_REQUIRE_MFA)
                        .expr_as(org_flag(org, orgs::Column::RequireSso), ORG_REQUIRE_SSO)
                        .to_owned(),
                )
                .await
                .map_err(db_error)?
                .map(|row| access_of(&row))
                .transpose()?
                .flatten();
            return Ok((role, Vec::new()));
        }
        let mut role = None;
        let mut page = Vec::with_capacity(rows.len());
        for row in &rows {
            let (conversation, member_role) = with_role(row)?;
            role = member_role;
            page.push(conversation);
        }
        Ok((role, page))
    }

    async fn update(
        &self,
        org: OrgId,
        id: ConversationId,
        patch: &ConversationPatch,
        now: DateTime<Utc>,
    ) -> Result<Conversation, DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        let mut row: conversations::ActiveModel = find_locked(&txn, org, id).await?.into();
        if let Some(title) = &patch.title {
            row.title = Set(title.clone());
        }
        if let Some(visibility) = patch.visibility {
            row.visibility = Set(visibility.name().to_owned());
        }
        if let Some(branch) = &patch.selected_branch {
            row.selected_branch = Set(branch.clone());
        }
        if let Some(numbers) = &patch.pr_number {
            row.pr_number = Set(serde_json::json!(numbers));
        }
        row.last_updated_at = Set(now);
        let updated = row.update(&txn).await.map_err(db_error)?;
        txn.commit().await.map_err(db_error)?;
        from_row(updated)
    }

    async fn delete(&self, org: OrgId, id: ConversationId, now: DateTime<Utc>) -> Result<(), DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        let deleted = conversations::Entity::delete_many()
            .filter(in_org(org, id))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if deleted.rows_affected == 0 {
            return Err(DomainError::NotFound);
        }
        record_deletion(&txn, org, id, now).await?;
        txn.commit().await.map_err(db_error)
    }

    async fn restore_last_updated(
        &self,
        org: OrgId,
        id: ConversationId,
        at: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let updated = conversations::Entity::update_many()
            .col_expr(conversations::Column::LastUpdatedAt, Expr::value(at))
            .filter(in_org(org, id))
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        if updated.rows_affected == 0 {
            return Err(DomainError::NotFound);
        }
        Ok(())
    }

    async fn reassign(
        &self,
        org: OrgId,
        id: ConversationId,
        to: UserId,
        audit_entry: &AuditEntry,
    ) -> Result<Conversation, DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        let updated = conversations::Entity::update_many()
            .col_expr(conversations::Column::CreatedBy, Expr::value(to))
            .col_expr(conversations::Column::LastUpdatedAt, Expr::value(audit_entry.at))
            .filter(in_org(org, id))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if updated.rows_affected == 0 {
            return Err(DomainError::NotFound);
        }
        audit::record(&txn, audit_entry.clone()).await?;
        let row = find_locked(&txn, org, id).await?;
        txn.commit().await.map_err(db_error)?;
        from_row(row)
    }

    async fn add_usage(
        &self,
        org: OrgId,
        id: ConversationId,
        usage: UsageReport,
        now: DateTime<Utc>,
    ) -> Result<(Conversation, Option<SpendRecorded>), DomainError> {
        use conversations::Column;
        let (txn, _turn) = begin_write(&self.db).await?;
        // One UPDATE adds to the stored totals: concurrent reports cannot overwrite each other.
        let updated = conversations::Entity::update_many()
            .col_expr(
                Column::PromptTokens,
                Expr::col(Column::PromptTokens).add(usage.prompt_tokens),
            )
            .col_expr(
                Column::CompletionTokens,
                Expr::col(Column::CompletionTokens).add(usage.completion_tokens),
            )
            .col_expr(
                Column::TotalTokens,
                Expr::col(Column::TotalTokens).add(usage.prompt_tokens + usage.completion_tokens),
            )
            .col_expr(
                Column::AccumulatedCostMicros,
                Expr::col(Column::AccumulatedCostMicros).add(usage.cost),
            )
            .col_expr(Column::LastUpdatedAt, Expr::value(now))
            .filter(in_org(org, id))
            // Totals stay within their bound (the domain's rule, as a condition of the update).
            .filter(Column::PromptTokens.lte(MAX_USAGE_TOTAL - usage.prompt_tokens))
            .filter(Column::CompletionTokens.lte(MAX_USAGE_TOTAL - usage.completion_tokens))
            .filter(Column::AccumulatedCostMicros.lte(MAX_USAGE_TOTAL - usage.cost))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if updated.rows_affected == 0 {
            let exists = conversations::Entity::find()
                .filter(in_org(org, id))
                .one(&txn)
                .await
                .map_err(db_error)?
                .is_some();
            return Err(if exists {
                total_exceeded()
            } else {
                DomainError::NotFound
            });
        }
        let row = find_locked(&txn, org, id).await?;
        let recorded = record_spend(
            &txn,
            SpendSubject {
                org,
                conversation: id,
                member: row.created_by,
                model: row.llm_model.as_deref(),
                conversation_cost: row.accumulated_cost_micros,
            },
            UsageDelta {
                cost: usage.cost,
                prompt_tokens: usage.prompt_tokens,
                completion_tokens: usage.completion_tokens,
            },
            now,
        )
        .await?;
        txn.commit().await.map_err(db_error)?;
        Ok((from_row(row)?, recorded))
    }
}

#[async_trait]
impl EventIndex for SqlConversationStore {
    async fn segments(
        &self,
        org: OrgId,
        id: ConversationId,
        start: i64,
        limit: i64,
    ) -> Result<Vec<EventSegment>, DomainError> {
        use event_segments::Column;
        let rows = event_segments::Entity::find()
            .filter(Column::ConversationId.eq(id))
            .filter(Column::FirstId.lt(start + limit))
            .filter(Column::LastId.gte(start))
            .order_by_asc(Column::FirstId)
            .all(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|row| EventSegment {
                org_id: org,
                conversation_id: id,
                first_id: row.first_id,
                last_id: row.last_id,
                object: row.batch_id,
            })
            .collect())
    }

    async fn recorded_batches(
        &self,
        batches: &[(ConversationId, uuid::Uuid)],
    ) -> Result<std::collections::HashSet<uuid::Uuid>, DomainError> {
        use event_segments::Column;
        if batches.is_empty() {
            return Ok(std::collections::HashSet::new());
        }
        let conversations: Vec<ConversationId> = batches.iter().map(|(id, _)| *id).collect();
        let names: Vec<uuid::Uuid> = batches.iter().map(|(_, name)| *name).collect();
        let rows = event_segments::Entity::find()
            .filter(Column::ConversationId.is_in(conversations))
            .filter(Column::BatchId.is_in(names))
            .all(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(rows.into_iter().filter_map(|row| row.batch_id).collect())
    }

    async fn window_for(
        &self,
        org: OrgId,
        id: ConversationId,
        reader: UserId,
        start: i64,
        limit: i64,
    ) -> Result<Option<ConversationWindow>, DomainError> {
        let mut query = window_query(org, id, start, limit);
        query
            .expr_as(member_role(org, reader), MEMBER_ROLE)
            .expr_as(org_flag(org, orgs::Column::RequireMfa), ORG_REQUIRE_MFA)
            .expr_as(org_flag(org, orgs::Column::RequireSso), ORG_REQUIRE_SSO);
        let rows = self.db.conn.query_all(&query).await.map_err(db_error)?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let (conversation, role) = with_role(first)?;
        let segments = segments_of(&rows, org, id)?;
        Ok(Some(ConversationWindow {
            conversation,
            role,
            segments,
        }))
    }
}

#[async_trait]
impl PurgeQueue for SqlConversationStore {
    async fn pending_purges(&self, limit: u64) -> Result<Vec<PendingPurge>, DomainError> {
        let rows = pending_purges::Entity::find()
            .order_by_asc(pending_purges::Column::CreatedAt)
            .limit(limit)
            .all(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|row| PendingPurge {
                org_id: row.org_id,
                conversation_id: row.conversation_id,
            })
            .collect())
    }

    async fn purge_done(&self, purge: PendingPurge) -> Result<(), DomainError> {
        let mut delete =
            pending_purges::Entity::delete_many().filter(pending_purges::Column::OrgId.eq(purge.org_id));
        delete = match purge.conversation_id {
            Some(conversation) => delete.filter(pending_purges::Column::ConversationId.eq(conversation)),
            None => delete.filter(pending_purges::Column::ConversationId.is_null()),
        };
        delete.exec(&self.db.conn).await.map_err(db_error)?;
        Ok(())
    }
}

/// Records that event objects must be deleted (inside the deleting transaction).
/// Records that conversation `id` was deleted: it is remembered (late agent reports never bring it
/// back) and its event objects queued for purging.
pub(crate) async fn record_deletion(
    conn: &impl ConnectionTrait,
    org: OrgId,
    id: ConversationId,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    use sea_orm::sea_query::OnConflict;
    crate::entities::deleted_conversations::Entity::insert(
        crate::entities::deleted_conversations::ActiveModel {
            id: Set(id),
            org_id: Set(org),
            deleted_at: Set(now),
        },
    )
    .on_conflict(
        OnConflict::column(crate::entities::deleted_conversations::Column::Id)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await
    .map_err(db_error)?;
    record_purge(conn, org, Some(id), now).await
}

pub(crate) async fn record_purge(
    conn: &impl ConnectionTrait,
    org: OrgId,
    conversation: Option<ConversationId>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    pending_purges::Entity::insert(pending_purges::ActiveModel {
        id: Set(new_id()),
        org_id: Set(org),
        conversation_id: Set(conversation),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

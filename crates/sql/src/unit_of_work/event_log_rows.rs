use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, OnConflict, Query},
};
use tenantry_domain::{
    ConversationId, DomainError,
    agent_reports::{AgentStateChange, ReportedUsage},
    append_idempotency::IdempotencyKey,
    budget::SpendRecorded,
    ports::{AppendedRange, EventLogRows, EventSegment, LockedConversation},
};

use super::SqlTransaction;
use crate::{
    agent_report_store::locked_anywhere,
    entities::{conversation_event_keys, conversations, event_segments},
    errors::db_error,
    spend_rows::{SpendSubject, UsageDelta, record_spend},
};

#[async_trait]
impl EventLogRows for SqlTransaction {
    async fn lock_conversation(&self, id: ConversationId) -> Result<Option<LockedConversation>, DomainError> {
        Ok(locked_anywhere(&self.txn, id)
            .await?
            .map(|row| LockedConversation {
                org_id: row.org_id,
                sandbox_id: row.sandbox_id,
                event_count: row.event_count,
            }))
    }

    async fn record_segment(&self, segment: EventSegment, at: DateTime<Utc>) -> Result<(), DomainError> {
        event_segments::Entity::insert(event_segments::ActiveModel {
            conversation_id: Set(segment.conversation_id),
            first_id: Set(segment.first_id),
            last_id: Set(segment.last_id),
            batch_id: Set(segment.object),
            idempotency_key: Set(None),
            created_at: Set(at),
        })
        .exec_without_returning(&self.txn)
        .await
        .map_err(db_error)?;
        conversations::Entity::update_many()
            .col_expr(
                conversations::Column::EventCount,
                Expr::value(segment.last_id + 1),
            )
            .col_expr(conversations::Column::LastUpdatedAt, Expr::value(at))
            .filter(conversations::Column::Id.eq(segment.conversation_id))
            .filter(conversations::Column::OrgId.eq(segment.org_id))
            .exec(&self.txn)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn batch_segment(
        &self,
        conversation: ConversationId,
        batch: uuid::Uuid,
    ) -> Result<Option<AppendedRange>, DomainError> {
        Ok(event_segments::Entity::find()
            .filter(event_segments::Column::ConversationId.eq(conversation))
            .filter(event_segments::Column::BatchId.eq(batch))
            .one(&self.txn)
            .await
            .map_err(db_error)?
            .map(|row| AppendedRange {
                first_id: row.first_id,
                last_id: row.last_id,
            }))
    }

    async fn keyed_batch(
        &self,
        conversation: ConversationId,
        key: &IdempotencyKey,
    ) -> Result<Option<AppendedRange>, DomainError> {
        Ok(event_segments::Entity::find()
            .filter(event_segments::Column::ConversationId.eq(conversation))
            .filter(event_segments::Column::IdempotencyKey.eq(key.as_str()))
            .one(&self.txn)
            .await
            .map_err(db_error)?
            .map(|row| AppendedRange {
                first_id: row.first_id,
                last_id: row.last_id,
            }))
    }

    async fn key_segment(
        &self,
        conversation: ConversationId,
        first_id: i64,
        key: &IdempotencyKey,
    ) -> Result<(), DomainError> {
        event_segments::Entity::update_many()
            .col_expr(event_segments::Column::IdempotencyKey, Expr::value(key.as_str()))
            .filter(event_segments::Column::ConversationId.eq(conversation))
            .filter(event_segments::Column::FirstId.eq(first_id))
            .exec(&self.txn)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn claim_event_keys(
        &self,
        conversation: ConversationId,
        keys: &[String],
    ) -> Result<HashSet<String>, DomainError> {
        if keys.is_empty() {
            return Ok(HashSet::new());
        }
        let mut insert = Query::insert()
            .into_table(conversation_event_keys::Entity)
            .columns([
                conversation_event_keys::Column::ConversationId,
                conversation_event_keys::Column::EventKey,
            ])
            .on_conflict(
                OnConflict::columns([
                    conversation_event_keys::Column::ConversationId,
                    conversation_event_keys::Column::EventKey,
                ])
                .do_nothing()
                .to_owned(),
            )
            .returning_col(conversation_event_keys::Column::EventKey)
            .to_owned();
        for key in keys {
            insert
                .values([conversation.into(), key.clone().into()])
                .map_err(|error| DomainError::Internal(error.to_string()))?;
        }
        let backend = self.txn.get_database_backend();
        self.txn
            .query_all_raw(backend.build(&insert))
            .await
            .map_err(db_error)?
            .into_iter()
            .map(|row| row.try_get_by_index::<String>(0))
            .collect::<Result<_, _>>()
            .map_err(db_error)
    }

    async fn apply_reported_state(
        &self,
        conversation: ConversationId,
        change: &AgentStateChange,
        at: DateTime<Utc>,
    ) -> Result<Option<SpendRecorded>, DomainError> {
        apply_state(&self.txn, conversation, change, at).await
    }
}

/// Applies a reported status and usage to the locked row: the status as reported, every total raised
/// to the reported one (never lowered), and what that adds counted against budgets.
pub(crate) async fn apply_state(
    conn: &impl ConnectionTrait,
    id: ConversationId,
    change: &AgentStateChange,
    now: DateTime<Utc>,
) -> Result<Option<SpendRecorded>, DomainError> {
    use conversations::Column;
    // The row is locked by the caller: what the report adds is its totals minus these.
    let before = conversations::Entity::find_by_id(id)
        .one(conn)
        .await
        .map_err(db_error)?
        .ok_or(DomainError::NotFound)?;
    let mut update = conversations::Entity::update_many()
        .col_expr(Column::LastUpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id));
    if let Some(status) = &change.execution_status {
        update = update.col_expr(Column::ExecutionStatus, Expr::value(status.as_str()));
    }
    let mut delta = UsageDelta::default();
    if let Some(usage) = change.usage {
        let ReportedUsage {
            cost,
            prompt_tokens,
            completion_tokens,
        } = usage;
        // Usage is raised to the reported totals, never lowered.
        delta = UsageDelta {
            cost: (cost - before.accumulated_cost_micros).max(0),
            prompt_tokens: (prompt_tokens - before.prompt_tokens).max(0),
            completion_tokens: (completion_tokens - before.completion_tokens).max(0),
        };
        let prompt = before.prompt_tokens + delta.prompt_tokens;
        let completion = before.completion_tokens + delta.completion_tokens;
        update = update
            .col_expr(
                Column::AccumulatedCostMicros,
                Expr::value(before.accumulated_cost_micros + delta.cost),
            )
            .col_expr(Column::PromptTokens, Expr::value(prompt))
            .col_expr(Column::CompletionTokens, Expr::value(completion))
            .col_expr(Column::TotalTokens, Expr::value(prompt + completion));
    }
    update.exec(conn).await.map_err(db_error)?;
    record_spend(
        conn,
        SpendSubject {
            org: before.org_id,
            conversation: id,
            member: before.created_by,
            model: before.llm_model.as_deref(),
            conversation_cost: before.accumulated_cost_micros + delta.cost,
        },
        delta,
        now,
    )
    .await
}

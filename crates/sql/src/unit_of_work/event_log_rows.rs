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
    agent_reports::AgentStateChange,
    append_idempotency::IdempotencyKey,
    budget::SpendRecorded,
    ports::{AppendedRange, EventLogRows, EventSegment, LockedConversation},
};

use super::SqlTransaction;
use crate::{
    conversation_rows::{apply_state, locked_anywhere},
    entities::{conversation_event_keys, conversations, event_segments},
    errors::db_error,
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

//! Remote deletions the agent servers still owe, kept until they succeed.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, EntityTrait, QueryOrder, QuerySelect, sea_query::OnConflict};
use tenantry_domain::{
    ConversationId, DomainError,
    ports::{PendingRemoteDeletion, RemoteDeletionQueue},
};

use crate::{SqlDatabase, entities::pending_agent_deletions, errors::db_error};

/// [`RemoteDeletionQueue`] on SQL.
#[derive(Debug, Clone)]
pub struct SqlRemoteDeletionQueue {
    db: SqlDatabase,
}

impl SqlRemoteDeletionQueue {
    /// The queue over an open database.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

#[async_trait]
impl RemoteDeletionQueue for SqlRemoteDeletionQueue {
    async fn record(&self, deletion: PendingRemoteDeletion, now: DateTime<Utc>) -> Result<(), DomainError> {
        pending_agent_deletions::Entity::insert(pending_agent_deletions::ActiveModel {
            conversation_id: Set(deletion.conversation_id),
            org_id: Set(deletion.org_id),
            sandbox_id: Set(deletion.sandbox_id),
            created_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(pending_agent_deletions::Column::ConversationId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&self.db.conn)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn pending(&self, limit: u64) -> Result<Vec<PendingRemoteDeletion>, DomainError> {
        Ok(pending_agent_deletions::Entity::find()
            .order_by_asc(pending_agent_deletions::Column::CreatedAt)
            .limit(limit)
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(|row| PendingRemoteDeletion {
                conversation_id: row.conversation_id,
                org_id: row.org_id,
                sandbox_id: row.sandbox_id,
            })
            .collect())
    }

    async fn done(&self, conversation: ConversationId) -> Result<(), DomainError> {
        pending_agent_deletions::Entity::delete_by_id(conversation)
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(())
    }
}

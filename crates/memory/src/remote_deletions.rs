//! Remote deletions the agent servers still owe, in memory, kept until they succeed.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::{
    ConversationId, DomainError,
    ports::{PendingRemoteDeletion, RemoteDeletionQueue},
};

use crate::{MemoryStore, tables::RemoteDeletionRow};

#[async_trait]
impl RemoteDeletionQueue for MemoryStore {
    async fn record(&self, deletion: PendingRemoteDeletion, now: DateTime<Utc>) -> Result<(), DomainError> {
        self.write(|tables| {
            let queue = &mut tables.remote_deletions;
            if !queue
                .iter()
                .any(|row| row.deletion.conversation_id == deletion.conversation_id)
            {
                queue.push(RemoteDeletionRow {
                    deletion,
                    recorded_at: now,
                });
            }
        })
        .await;
        Ok(())
    }

    async fn pending(&self, limit: u64) -> Result<Vec<PendingRemoteDeletion>, DomainError> {
        Ok(self
            .read(|tables| {
                let mut rows = tables.remote_deletions.clone();
                // Oldest first by the recorded instant, as SQL orders them (not by arrival).
                rows.sort_by_key(|row| row.recorded_at);
                rows.into_iter()
                    .take(usize::try_from(limit).unwrap_or(usize::MAX))
                    .map(|row| row.deletion)
                    .collect()
            })
            .await)
    }

    async fn done(&self, conversation: ConversationId) -> Result<(), DomainError> {
        self.write(|tables| {
            tables
                .remote_deletions
                .retain(|row| row.deletion.conversation_id != conversation);
        })
        .await;
        Ok(())
    }
}

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::{
    ConversationId, DomainError,
    ports::{PendingRemoteDeletion, RemoteDeletionQueue},
};

use crate::MemoryStore;

#[async_trait]
impl RemoteDeletionQueue for MemoryStore {
    async fn record(&self, deletion: PendingRemoteDeletion, _now: DateTime<Utc>) -> Result<(), DomainError> {
        self.write(|tables| {
            let queue = &mut tables.remote_deletions;
            if !queue
                .iter()
                .any(|pending| pending.conversation_id == deletion.conversation_id)
            {
                queue.push(deletion);
            }
        })
        .await;
        Ok(())
    }

    async fn pending(&self, limit: u64) -> Result<Vec<PendingRemoteDeletion>, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .remote_deletions
                    .iter()
                    .take(usize::try_from(limit).unwrap_or(usize::MAX))
                    .cloned()
                    .collect()
            })
            .await)
    }

    async fn done(&self, conversation: ConversationId) -> Result<(), DomainError> {
        self.write(|tables| {
            tables
                .remote_deletions
                .retain(|pending| pending.conversation_id != conversation)
        })
        .await;
        Ok(())
    }
}

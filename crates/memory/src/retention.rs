//! What the retention sweep reads and deletes, in memory.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use tenantry_domain::{
    AuditEntry, ConversationId, DomainError, OrgId,
    ports::{PendingPurge, RetentionStore},
};

use crate::MemoryStore;

#[async_trait]
impl RetentionStore for MemoryStore {
    async fn org_settings_after(
        &self,
        after: Option<OrgId>,
        limit: u64,
    ) -> Result<Vec<(OrgId, Map<String, Value>)>, DomainError> {
        let mut orgs: Vec<(OrgId, Map<String, Value>)> = self
            .read(|tables| {
                tables
                    .settings
                    .iter()
                    .filter(|((org, member), _)| member.is_none() && after.is_none_or(|after| *org > after))
                    .map(|((org, _), row)| (*org, row.values.clone()))
                    .collect()
            })
            .await;
        orgs.sort_by_key(|(org, _)| *org);
        orgs.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(orgs)
    }

    async fn idle_conversations(
        &self,
        org: OrgId,
        idle_before: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<ConversationId>, DomainError> {
        let mut idle: Vec<(DateTime<Utc>, ConversationId)> = self
            .read(|tables| {
                tables
                    .conversations
                    .values()
                    .filter(|conversation| {
                        conversation.org_id == org && conversation.last_updated_at < idle_before
                    })
                    .map(|conversation| (conversation.last_updated_at, conversation.id))
                    .collect()
            })
            .await;
        idle.sort();
        idle.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(idle.into_iter().map(|(_, id)| id).collect())
    }

    async fn expire(
        &self,
        org: OrgId,
        id: ConversationId,
        idle_before: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<bool, DomainError> {
        self.write(|tables| {
            let still_idle = tables.conversations.get(&id).is_some_and(|conversation| {
                conversation.org_id == org && conversation.last_updated_at < idle_before
            });
            if !still_idle {
                return Ok(false);
            }
            tables.conversations.remove(&id);
            tables.deleted_conversations.insert(id);
            tables.segments.remove(&id);
            tables.event_keys.retain(|(conversation, _)| *conversation != id);
            tables.purges.push(PendingPurge {
                org_id: org,
                conversation_id: Some(id),
            });
            tables.audit.push(audit.clone());
            Ok(true)
        })
        .await
    }
}

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::{AuditEntry, ConversationId, DomainError, OrgId};

/// What the retention sweep reads and deletes.
#[async_trait]
pub trait RetentionStore: Send + Sync {
    /// Org-level settings of the orgs after `after` (by id), at most `limit`.
    async fn org_settings_after(
        &self,
        after: Option<OrgId>,
        limit: u64,
    ) -> Result<Vec<(OrgId, Map<String, Value>)>, DomainError>;

    /// Conversations of `org` last updated before `idle_before`, oldest first, at most `limit`.
    async fn idle_conversations(
        &self,
        org: OrgId,
        idle_before: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<ConversationId>, DomainError>;

    /// Deletes the conversation if it is still idle since before `idle_before` (checked under its
    /// lock), records its events for purging and `audit`, in one transaction; `false` when it
    /// changed (or went) in the meantime.
    async fn expire(
        &self,
        org: OrgId,
        id: ConversationId,
        idle_before: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<bool, DomainError>;
}

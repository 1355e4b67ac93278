use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{AuditAction, AuditEntry, DomainError, OrgId, UserId};

/// Which entries of an org's log to read; every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only entries strictly older than this one (the keyset cursor).
    pub before: Option<Uuid>,
    /// Only this action.
    pub action: Option<AuditAction>,
    /// Only entries caused by this user.
    pub actor: Option<UserId>,
    /// Only entries at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only entries before this time.
    pub until: Option<DateTime<Utc>>,
}

impl AuditFilter {
    /// Whether `entry` passes every condition but the org.
    pub fn admits(&self, entry: &AuditEntry) -> bool {
        self.before.is_none_or(|before| entry.id < before)
            && self.action.is_none_or(|action| entry.action == action)
            && self.actor.is_none_or(|actor| entry.actor_id == Some(actor))
            && self.since.is_none_or(|since| entry.at >= since)
            && self.until.is_none_or(|until| entry.at < until)
    }
}

/// The audit log: entries not part of another change's transaction, and reading an org's entries.
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends an entry.
    async fn record(&self, entry: AuditEntry) -> Result<(), DomainError>;

    /// Audit entries of the org that `filter` admits, newest first, at most `limit`.
    async fn entries(
        &self,
        org: OrgId,
        filter: &AuditFilter,
        limit: u64,
    ) -> Result<Vec<AuditEntry>, DomainError>;
}

use async_trait::async_trait;
use serde_json::{Map, Value};

use crate::{AuditEntry, Conversation, ConversationId, DomainError, Org, StoredEvent, ports::MemberView};

/// An org's settings as exported: plain values and locks, never a secret.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportedSettings {
    /// Plain values.
    pub values: Map<String, Value>,
    /// Locked fields.
    pub locked: Vec<String>,
}

/// Where an org export goes, in the order the export service hands it over: the org and its
/// settings, the members, each conversation followed by its events (in pages, in id order), the
/// audit log (newest first), then `finish`. The format is the sink's; an error stops the export.
#[async_trait]
pub trait ExportSink: Send {
    /// The org and its settings.
    async fn org(&mut self, org: &Org, settings: &ExportedSettings) -> Result<(), DomainError>;

    /// One member.
    async fn member(&mut self, member: &MemberView) -> Result<(), DomainError>;

    /// One conversation; its events follow.
    async fn conversation(&mut self, conversation: &Conversation) -> Result<(), DomainError>;

    /// The next page of the conversation's events.
    async fn events(
        &mut self,
        conversation: ConversationId,
        events: &[StoredEvent],
    ) -> Result<(), DomainError>;

    /// One audit entry.
    async fn audit(&mut self, entry: &AuditEntry) -> Result<(), DomainError>;

    /// Everything was handed over.
    async fn finish(&mut self) -> Result<(), DomainError>;
}

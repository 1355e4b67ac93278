use async_trait::async_trait;

use crate::{ConversationId, DomainError, OrgId};

/// The ids a batch of events received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendedRange {
    /// First id of the batch.
    pub first_id: i64,
    /// Last id of the batch.
    pub last_id: i64,
}

/// A run of consecutive events stored as one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventSegment {
    /// The org.
    pub org_id: OrgId,
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Id of its first event.
    pub first_id: i64,
    /// Id of its last event.
    pub last_id: i64,
}

/// Where a conversation's events are: the segments recorded when they were appended.
#[async_trait]
pub trait EventIndex: Send + Sync {
    /// The segments holding events `start..start+limit` that are visible (below the event count).
    async fn segments(
        &self,
        org: OrgId,
        id: ConversationId,
        start: i64,
        limit: i64,
    ) -> Result<Vec<EventSegment>, DomainError>;
}

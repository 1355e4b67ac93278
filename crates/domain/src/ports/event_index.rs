use async_trait::async_trait;

use crate::{Conversation, ConversationId, DomainError, OrgId, UserId};

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
    /// The object its events were written to before they had ids; `None` for segments stored under
    /// their first id.
    pub object: Option<uuid::Uuid>,
}

impl EventSegment {
    /// Where its events are stored.
    pub fn location(&self) -> SegmentObject {
        SegmentObject {
            org_id: self.org_id,
            conversation_id: self.conversation_id,
            name: match self.object {
                Some(name) => ObjectName::Batch(name),
                None => ObjectName::FirstId(self.first_id),
            },
        }
    }
}

/// One stored batch of events: the object a segment points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SegmentObject {
    /// The org.
    pub org_id: OrgId,
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Its name within the conversation.
    pub name: ObjectName,
}

impl SegmentObject {
    /// A new object for a batch that gets its ids once written.
    pub fn new_batch(org_id: OrgId, conversation_id: ConversationId) -> Self {
        Self {
            org_id,
            conversation_id,
            name: ObjectName::Batch(crate::new_id()),
        }
    }
}

/// How a batch's object is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectName {
    /// Named when written, before its events had ids.
    Batch(uuid::Uuid),
    /// Named by its first event id (segments written while the conversation was locked).
    FirstId(i64),
}

/// A conversation with the reader's role in its org and the segments of a window of its events,
/// read together.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationWindow {
    /// The conversation.
    pub conversation: Conversation,
    /// The reader's role in its org; `None`: not a member.
    pub role: Option<crate::sign_in::org_policy::MemberAccess>,
    /// The segments holding the window's visible events (below the event count), in order.
    pub segments: Vec<EventSegment>,
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

    /// The conversation `id` of `org` with `reader`'s role and the segments holding events
    /// `start..start+limit`, in one read; `None` when there is no such conversation.
    async fn window_for(
        &self,
        org: OrgId,
        id: ConversationId,
        reader: UserId,
        start: i64,
        limit: i64,
    ) -> Result<Option<ConversationWindow>, DomainError>;

    /// Which of `batches` (a conversation and the name its batch was written under) a recorded
    /// segment points to.
    async fn recorded_batches(
        &self,
        batches: &[(ConversationId, uuid::Uuid)],
    ) -> Result<std::collections::HashSet<uuid::Uuid>, DomainError>;
}

//! Event ids: dense per conversation (0, 1, 2, …), allocated while the conversation is locked, and
//! visible only once their events are stored: the objects are written first, the segment and the
//! new count are recorded after, and both commit together. A failed write allocates nothing.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::{
    ConversationId, DomainError, OrgId, StoredEvent,
    ports::{AppendedRange, EventSegment, EventStore, LockedConversation, Transaction},
};

/// A batch of events with the ids allocated to it.
#[derive(Debug, Clone, PartialEq)]
pub struct AllocatedBatch {
    /// The segment the batch is stored as.
    pub segment: EventSegment,
    /// The events with their ids and timestamp.
    pub events: Vec<StoredEvent>,
}

/// Gives `events` the ids that follow `event_count` (the conversation's current count).
pub fn allocate(
    org: OrgId,
    conversation: ConversationId,
    event_count: i64,
    events: Vec<Value>,
    at: DateTime<Utc>,
) -> Result<AllocatedBatch, DomainError> {
    let count = i64::try_from(events.len())
        .ok()
        .filter(|count| *count > 0)
        .ok_or_else(|| DomainError::invalid("events", "send at least one event"))?;
    let first_id = event_count;
    let segment = EventSegment {
        org_id: org,
        conversation_id: conversation,
        first_id,
        last_id: first_id + count - 1,
    };
    let events = events
        .into_iter()
        .zip(first_id..)
        .map(|(event, id)| StoredEvent {
            id,
            timestamp: at,
            event,
        })
        .collect();
    Ok(AllocatedBatch { segment, events })
}

/// Appends `events` to the conversation locked in `transaction`: allocates the next ids, writes the
/// objects to `store`, then records the segment. The caller commits.
pub async fn append_locked(
    transaction: &dyn Transaction,
    store: &dyn EventStore,
    locked: LockedConversation,
    conversation: ConversationId,
    events: Vec<Value>,
    at: DateTime<Utc>,
) -> Result<AppendedRange, DomainError> {
    let batch = allocate(locked.org_id, conversation, locked.event_count, events, at)?;
    store.put_segment(batch.segment, &batch.events).await?;
    transaction.event_log().record_segment(batch.segment, at).await?;
    Ok(AppendedRange {
        first_id: batch.segment.first_id,
        last_id: batch.segment.last_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::new_id;
    use serde_json::json;

    #[test]
    fn ids_follow_the_count_densely() {
        let (org, conversation, at) = (new_id(), new_id(), Utc::now());
        let batch = allocate(org, conversation, 7, vec![json!({"a": 1}), json!({"b": 2})], at).unwrap();
        assert_eq!((batch.segment.first_id, batch.segment.last_id), (7, 8));
        let ids: Vec<i64> = batch.events.iter().map(|event| event.id).collect();
        assert_eq!(ids, [7, 8]);
        assert_eq!(batch.events[1].event, json!({"b": 2}));
    }

    #[test]
    fn an_empty_batch_allocates_nothing() {
        let error = allocate(new_id(), new_id(), 0, Vec::new(), Utc::now()).unwrap_err();
        assert!(matches!(error, DomainError::Validation(_)));
    }
}

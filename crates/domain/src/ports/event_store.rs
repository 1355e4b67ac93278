use async_trait::async_trait;

use crate::{
    DomainError, StoredEvent,
    ports::Probe,
    ports::{EventSegment, PendingPurge},
};

/// Where conversation event payloads live (object storage). Metadata stays in SQL.
#[async_trait]
pub trait EventStore: Probe {
    /// Writes one segment (its events, in id order) as a single object.
    async fn put_segment(&self, segment: EventSegment, events: &[StoredEvent]) -> Result<(), DomainError>;

    /// Reads segments, as few round trips as possible; returns their events in segment order.
    async fn get_segments(&self, segments: &[EventSegment]) -> Result<Vec<StoredEvent>, DomainError>;

    /// Deletes the event objects of a conversation, or of a whole org.
    async fn purge(&self, purge: PendingPurge) -> Result<(), DomainError>;
}

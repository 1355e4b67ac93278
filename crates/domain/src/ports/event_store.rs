use async_trait::async_trait;

use crate::{
    DomainError, StoredEvent,
    ports::Probe,
    ports::{EventSegment, PendingPurge, SegmentObject},
};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// Where conversation event payloads live (object storage). Metadata stays in SQL.
#[async_trait]
pub trait EventStore: Probe {
    /// Writes a batch of events (in order, all appended `at`) as one object. The events get their ids
    /// when the batch is recorded as a segment: the first id, then one more per event.
    async fn put_batch(
        &self,
        object: SegmentObject,
        at: DateTime<Utc>,
        events: &[Value],
    ) -> Result<(), DomainError>;

    /// Deletes a batch that was written but never recorded (its append failed afterwards).
    async fn delete_batch(&self, object: SegmentObject) -> Result<(), DomainError>;

    /// Reads segments, as few round trips as possible; returns their events in segment order, with
    /// the ids the segments give them.
    async fn get_segments(&self, segments: &[EventSegment]) -> Result<Vec<StoredEvent>, DomainError>;

    /// The events of `segments` whose ids fall in `ids`, in id order. A store that can skip the
    /// others cheaply (a window rarely starts or ends on a segment's edge) does so.
    async fn get_events(
        &self,
        segments: &[EventSegment],
        ids: std::ops::Range<i64>,
    ) -> Result<Vec<StoredEvent>, DomainError> {
        let mut events = self.get_segments(segments).await?;
        events.retain(|event| ids.contains(&event.id));
        Ok(events)
    }

    /// Deletes the event objects of a conversation, or of a whole org.
    async fn purge(&self, purge: PendingPurge) -> Result<(), DomainError>;

    /// The batch objects (named when written, before their ids) last written before `before`,
    /// recorded or not: candidates for [`crate::conversations::orphan_batches`].
    async fn batches_written_before(&self, before: DateTime<Utc>) -> Result<Vec<SegmentObject>, DomainError>;
}

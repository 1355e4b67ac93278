//! Recent event batches kept in memory: followers of a busy conversation read each new batch once
//! per instance instead of once each, and repeated page reads skip the object store.

use std::{ops::Range, sync::Arc};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::future::try_join_all;
use moka::future::Cache;
use serde::{Deserialize, Serialize};
use serde_json::{Value, value::RawValue};
use tenantry_domain::{
    DomainError, StoredEvent,
    ports::{EventSegment, EventStore, PendingPurge, Probe, SegmentObject},
};

/// A batch's events in order as compact JSON (`[{"timestamp", "event"}, …]`): parsed JSON takes
/// several times the memory of its text, and a parse costs about what a deep clone does. Their ids
/// come from the segment that reads them.
type Batch = Arc<[u8]>;

#[derive(Serialize)]
struct EventOut<'a> {
    timestamp: DateTime<Utc>,
    event: &'a Value,
}

#[derive(Deserialize)]
struct EventIn {
    timestamp: DateTime<Utc>,
    event: Value,
}

/// An [`EventStore`] that keeps recently written and read batches, bounded by their size in bytes
/// (least recently used first out). Concurrent misses of one batch make one store read.
pub struct CachedEventStore {
    inner: Arc<dyn EventStore>,
    batches: Cache<SegmentObject, Batch>,
}

impl CachedEventStore {
    /// Caches at most about `capacity_bytes` of events (their JSON text) in front of `inner`.
    pub fn new(inner: Arc<dyn EventStore>, capacity_bytes: u64) -> Self {
        let batches = Cache::builder()
            .max_capacity(capacity_bytes)
            .weigher(|_, batch: &Batch| u32::try_from(batch.len() + 64).unwrap_or(u32::MAX))
            .build();
        Self { inner, batches }
    }

    /// The bytes of JSON held now (after pending evictions).
    pub async fn held_bytes(&self) -> u64 {
        self.batches.run_pending_tasks().await;
        self.batches.weighted_size()
    }
}

fn encode<'a>(events: impl Iterator<Item = EventOut<'a>>) -> Result<Batch, DomainError> {
    let events: Vec<EventOut<'a>> = events.collect();
    serde_json::to_vec(&events)
        .map(Batch::from)
        .map_err(|error| DomainError::Internal(error.to_string()))
}

/// The events of a cached batch whose ids fall in `ids`. Events outside are only scanned past,
/// not parsed: building their values is most of what a read costs.
fn decode(segment: &EventSegment, batch: &[u8], ids: &Range<i64>) -> Result<Vec<StoredEvent>, DomainError> {
    let unreadable = |error: serde_json::Error| DomainError::Internal(format!("cached event batch: {error}"));
    let stored = |(id, event): (i64, EventIn)| StoredEvent {
        id,
        timestamp: event.timestamp,
        event: event.event,
    };
    if ids.contains(&segment.first_id) && ids.contains(&segment.last_id) {
        let parsed: Vec<EventIn> = serde_json::from_slice(batch).map_err(unreadable)?;
        return Ok((segment.first_id..).zip(parsed).map(stored).collect());
    }
    let raw: Vec<&RawValue> = serde_json::from_slice(batch).map_err(unreadable)?;
    (segment.first_id..)
        .zip(raw)
        .filter(|(id, _)| ids.contains(id))
        .map(|(id, raw)| Ok(stored((id, serde_json::from_str(raw.get()).map_err(unreadable)?))))
        .collect()
}

#[async_trait]
impl Probe for CachedEventStore {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    async fn check(&self) -> Result<(), DomainError> {
        self.inner.check().await
    }
}

#[async_trait]
impl EventStore for CachedEventStore {
    async fn put_batch(
        &self,
        object: SegmentObject,
        at: DateTime<Utc>,
        events: &[Value],
    ) -> Result<(), DomainError> {
        self.inner.put_batch(object, at, events).await?;
        // Only once the write succeeded: a failed append leaves nothing behind.
        let batch = encode(events.iter().map(|event| EventOut { timestamp: at, event }))?;
        self.batches.insert(object, batch).await;
        Ok(())
    }

    async fn delete_batch(&self, object: SegmentObject) -> Result<(), DomainError> {
        self.batches.invalidate(&object).await;
        self.inner.delete_batch(object).await
    }

    async fn get_segments(&self, segments: &[EventSegment]) -> Result<Vec<StoredEvent>, DomainError> {
        self.get_events(segments, 0..i64::MAX).await
    }

    async fn get_events(
        &self,
        segments: &[EventSegment],
        ids: Range<i64>,
    ) -> Result<Vec<StoredEvent>, DomainError> {
        let batches = try_join_all(segments.iter().map(|segment| {
            let inner = self.inner.clone();
            let segment = *segment;
            self.batches.try_get_with(segment.location(), async move {
                let events = inner.get_segments(&[segment]).await?;
                encode(events.iter().map(|event| EventOut {
                    timestamp: event.timestamp,
                    event: &event.event,
                }))
            })
        }))
        .await
        .map_err(|error: Arc<DomainError>| {
            Arc::try_unwrap(error).unwrap_or_else(|shared| DomainError::Unavailable(shared.to_string()))
        })?;
        let mut events = Vec::new();
        for (segment, batch) in segments.iter().zip(batches) {
            events.extend(decode(segment, &batch, &ids)?);
        }
        Ok(events)
    }

    async fn purge(&self, purge: PendingPurge) -> Result<(), DomainError> {
        self.inner.purge(purge).await?;
        // Deletions are rare: forgetting everything is simpler than finding the org's batches.
        self.batches.invalidate_all();
        Ok(())
    }

    async fn batches_written_before(&self, before: DateTime<Utc>) -> Result<Vec<SegmentObject>, DomainError> {
        self.inner.batches_written_before(before).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use object_store::memory::InMemory;
    use serde_json::json;
    use tenantry_domain::{event_ids::allocate, new_id};

    use super::*;
    use crate::ObjectEventStore;

    /// An object store in memory that counts segment reads and takes its time with them.
    struct Counting {
        reads: AtomicUsize,
        store: ObjectEventStore,
    }

    impl Counting {
        fn new() -> Arc<Self> {
            Arc::new(Self {
                reads: AtomicUsize::new(0),
                store: ObjectEventStore::new(Arc::new(InMemory::new())),
            })
        }

        fn reads(&self) -> usize {
            self.reads.load(Ordering::SeqCst)
        }
    }

    #[async_trait]
    impl Probe for Counting {
        fn name(&self) -> &'static str {
            "counting"
        }

        async fn check(&self) -> Result<(), DomainError> {
            Ok(())
        }
    }

    #[async_trait]
    impl EventStore for Counting {
        async fn put_batch(
            &self,
            object: SegmentObject,
            at: DateTime<Utc>,
            events: &[Value],
        ) -> Result<(), DomainError> {
            self.store.put_batch(object, at, events).await
        }

        async fn delete_batch(&self, object: SegmentObject) -> Result<(), DomainError> {
            self.store.delete_batch(object).await
        }

        async fn get_segments(&self, segments: &[EventSegment]) -> Result<Vec<StoredEvent>, DomainError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            self.store.get_segments(segments).await
        }

        async fn purge(&self, purge: PendingPurge) -> Result<(), DomainError> {
            self.store.purge(purge).await
        }

        async fn batches_written_before(
            &self,
            before: DateTime<Utc>,
        ) -> Result<Vec<SegmentObject>, DomainError> {
            self.store.batches_written_before(before).await
        }
    }

    fn batch() -> (SegmentObject, Vec<Value>) {
        let object = SegmentObject::new_batch(new_id(), new_id());
        (object, (0..2).map(|n| json!({ "n": n })).collect())
    }

    #[tokio::test]
    async fn written_batches_are_read_back_with_their_ids_without_the_store() {
        let inner = Counting::new();
        let cached = CachedEventStore::new(inner.clone(), 1 << 20);
        let (object, events) = batch();
        cached.put_batch(object, Utc::now(), &events).await.unwrap();
        let segment = allocate(object, 7, events.len()).unwrap();
        let read = cached.get_segments(&[segment]).await.unwrap();
        assert_eq!(read.iter().map(|event| event.id).collect::<Vec<_>>(), [7, 8]);
        assert_eq!(read[1].event, events[1]);
        assert_eq!(inner.reads(), 0);
    }

    #[tokio::test]
    async fn concurrent_misses_read_the_store_once_and_purges_forget() {
        let inner = Counting::new();
        let (object, events) = batch();
        inner.put_batch(object, Utc::now(), &events).await.unwrap();
        let segment = allocate(object, 0, events.len()).unwrap();
        let cached = CachedEventStore::new(inner.clone(), 1 << 20);
        let reads = (0..50).map(|_| cached.get_segments(std::slice::from_ref(&segment)));
        for read in futures::future::join_all(reads).await {
            assert_eq!(read.unwrap().len(), 2);
        }
        assert_eq!(inner.reads(), 1);
        cached
            .purge(PendingPurge {
                org_id: segment.org_id,
                conversation_id: Some(segment.conversation_id),
            })
            .await
            .unwrap();
        assert!(
            cached.get_segments(&[segment]).await.is_err(),
            "purged with its objects"
        );
        assert_eq!(inner.reads(), 2);
    }

    #[tokio::test]
    async fn what_it_holds_stays_within_its_capacity_in_bytes() {
        let capacity = 16 * 1024;
        let cached = CachedEventStore::new(Counting::new(), capacity);
        for _ in 0..100 {
            let object = SegmentObject::new_batch(new_id(), new_id());
            let event = json!({ "text": "x".repeat(1000) });
            cached.put_batch(object, Utc::now(), &[event]).await.unwrap();
        }
        let held = cached.held_bytes().await;
        assert!(held > 0 && held <= capacity, "{held} bytes held");
    }

    #[tokio::test]
    async fn a_deleted_batch_is_not_served_from_memory() {
        let inner = Counting::new();
        let cached = CachedEventStore::new(inner.clone(), 1 << 20);
        let (object, events) = batch();
        cached.put_batch(object, Utc::now(), &events).await.unwrap();
        cached.delete_batch(object).await.unwrap();
        let segment = allocate(object, 0, events.len()).unwrap();
        assert!(cached.get_segments(&[segment]).await.is_err());
        assert_eq!(inner.reads(), 1);
    }

    #[tokio::test]
    async fn a_window_across_segments_gets_exactly_its_events() {
        let inner = Counting::new();
        let cached = CachedEventStore::new(inner.clone(), 1 << 20);
        let mut segments = Vec::new();
        for first in [0, 5, 10] {
            let object = SegmentObject::new_batch(new_id(), new_id());
            let events: Vec<Value> = (first..first + 5).map(|n| json!({ "n": n })).collect();
            cached.put_batch(object, Utc::now(), &events).await.unwrap();
            segments.push(allocate(object, first, events.len()).unwrap());
        }
        for window in [3..7, 0..15, 5..10, 9..11, 14..15] {
            let read = cached.get_events(&segments, window.clone()).await.unwrap();
            let ids: Vec<i64> = read.iter().map(|event| event.id).collect();
            assert_eq!(ids, window.clone().collect::<Vec<_>>(), "window {window:?}");
            for event in &read {
                assert_eq!(
                    event.event,
                    json!({ "n": event.id }),
                    "event {} is its own",
                    event.id
                );
            }
        }
        assert_eq!(inner.reads(), 0, "all from memory");
    }
}

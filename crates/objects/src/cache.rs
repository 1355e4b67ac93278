//! Recent event segments kept in memory: followers of a busy conversation read each new segment
//! once per instance instead of once each, and repeated page reads skip the object store.

use std::sync::Arc;

use async_trait::async_trait;
use futures::future::try_join_all;
use moka::future::Cache;
use tenantry_domain::{
    ConversationId, DomainError, OrgId, StoredEvent,
    ports::{EventSegment, EventStore, PendingPurge, Probe},
};

type SegmentKey = (OrgId, ConversationId, i64, i64);

/// An [`EventStore`] that keeps recently written and read segments, bounded by their size in bytes
/// (least recently used first out). Concurrent misses of one segment make one store read.
pub struct CachedEventStore {
    inner: Arc<dyn EventStore>,
    segments: Cache<SegmentKey, Arc<Vec<StoredEvent>>>,
}

impl CachedEventStore {
    /// Caches at most about `capacity_bytes` of events (their JSON size) in front of `inner`.
    pub fn new(inner: Arc<dyn EventStore>, capacity_bytes: u64) -> Self {
        let segments = Cache::builder()
            .max_capacity(capacity_bytes)
            .weigher(|_, events: &Arc<Vec<StoredEvent>>| weight(events))
            .build();
        Self { inner, segments }
    }
}

fn key(segment: &EventSegment) -> SegmentKey {
    (
        segment.org_id,
        segment.conversation_id,
        segment.first_id,
        segment.last_id,
    )
}

/// About how many bytes the events take, as JSON.
fn weight(events: &[StoredEvent]) -> u32 {
    let bytes: usize = events
        .iter()
        .map(|event| 64 + serde_json::to_vec(&event.event).map_or(0, |json| json.len()))
        .sum();
    u32::try_from(bytes).unwrap_or(u32::MAX)
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
    async fn put_segment(&self, segment: EventSegment, events: &[StoredEvent]) -> Result<(), DomainError> {
        self.inner.put_segment(segment, events).await?;
        // Only once the write succeeded: a failed append leaves nothing behind.
        self.segments
            .insert(key(&segment), Arc::new(events.to_vec()))
            .await;
        Ok(())
    }

    async fn get_segments(&self, segments: &[EventSegment]) -> Result<Vec<StoredEvent>, DomainError> {
        let loaded = try_join_all(segments.iter().map(|segment| {
            let inner = self.inner.clone();
            let segment = *segment;
            self.segments.try_get_with(key(&segment), async move {
                inner.get_segments(&[segment]).await.map(Arc::new)
            })
        }))
        .await
        .map_err(|error: Arc<DomainError>| {
            Arc::try_unwrap(error).unwrap_or_else(|shared| DomainError::Unavailable(shared.to_string()))
        })?;
        Ok(loaded.iter().flat_map(|events| events.iter().cloned()).collect())
    }

    async fn purge(&self, purge: PendingPurge) -> Result<(), DomainError> {
        self.inner.purge(purge).await?;
        // Deletions are rare: forgetting everything is simpler than finding the org's segments.
        self.segments.invalidate_all();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use chrono::Utc;
    use serde_json::json;
    use tenantry_domain::new_id;

    use super::*;

    /// Counts reads; fails them when asked to.
    #[derive(Default)]
    struct Counting {
        reads: AtomicUsize,
        stored: std::sync::Mutex<Vec<StoredEvent>>,
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
        async fn put_segment(&self, _: EventSegment, events: &[StoredEvent]) -> Result<(), DomainError> {
            self.stored.lock().unwrap().extend(events.iter().cloned());
            Ok(())
        }

        async fn get_segments(&self, _: &[EventSegment]) -> Result<Vec<StoredEvent>, DomainError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            Ok(self.stored.lock().unwrap().clone())
        }

        async fn purge(&self, _: PendingPurge) -> Result<(), DomainError> {
            Ok(())
        }
    }

    fn segment() -> (EventSegment, Vec<StoredEvent>) {
        let segment = EventSegment {
            org_id: new_id(),
            conversation_id: new_id(),
            first_id: 0,
            last_id: 1,
        };
        let events = (0..2)
            .map(|id| StoredEvent {
                id,
                timestamp: Utc::now(),
                event: json!({ "n": id }),
            })
            .collect();
        (segment, events)
    }

    #[tokio::test]
    async fn written_segments_are_read_back_without_the_store() {
        let inner = Arc::new(Counting::default());
        let cached = CachedEventStore::new(inner.clone(), 1 << 20);
        let (segment, events) = segment();
        cached.put_segment(segment, &events).await.unwrap();
        assert_eq!(cached.get_segments(&[segment]).await.unwrap(), events);
        assert_eq!(inner.reads.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn concurrent_misses_read_the_store_once_and_purges_forget() {
        let inner = Arc::new(Counting::default());
        let (segment, events) = segment();
        inner.put_segment(segment, &events).await.unwrap();
        let cached = CachedEventStore::new(inner.clone(), 1 << 20);
        let reads = (0..50).map(|_| cached.get_segments(std::slice::from_ref(&segment)));
        for read in futures::future::join_all(reads).await {
            assert_eq!(read.unwrap(), events);
        }
        assert_eq!(inner.reads.load(Ordering::SeqCst), 1);
        cached
            .purge(PendingPurge {
                org_id: segment.org_id,
                conversation_id: Some(segment.conversation_id),
            })
            .await
            .unwrap();
        cached.get_segments(&[segment]).await.unwrap();
        assert_eq!(inner.reads.load(Ordering::SeqCst), 2);
    }
}

use std::{
    collections::HashMap,
    sync::{
        Mutex,
        atomic::{AtomicUsize, Ordering},
    },
};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use tenantry_domain::{
    DomainError, StoredEvent,
    ports::{EventSegment, EventStore, ObjectName, PendingPurge, Probe, SegmentObject},
};

type Objects = HashMap<SegmentObject, Vec<(DateTime<Utc>, Value)>>;

/// Event objects in memory, one per batch; can be switched off to act as a store that is down.
#[derive(Debug, Default)]
pub struct MemoryEventStore {
    objects: Mutex<Objects>,
    write_latency: Mutex<std::time::Duration>,
    writes_in_flight: AtomicUsize,
    most_writes_in_flight: AtomicUsize,
    down: Mutex<bool>,
}

impl MemoryEventStore {
    /// An empty, working store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes every call fail as an unreachable store does (`true`), or work again (`false`).
    pub fn set_down(&self, down: bool) {
        *self.down.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = down;
    }

    /// Makes every write take `latency`, as a remote store does.
    pub fn set_write_latency(&self, latency: std::time::Duration) {
        *self
            .write_latency
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = latency;
    }

    /// The most writes that were ever in flight at once.
    pub fn most_writes_in_flight(&self) -> usize {
        self.most_writes_in_flight.load(Ordering::SeqCst)
    }

    /// How many batch objects are stored.
    pub fn object_count(&self) -> usize {
        self.objects().len()
    }

    fn objects(&self) -> std::sync::MutexGuard<'_, Objects> {
        self.objects
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn available(&self) -> Result<(), DomainError> {
        if *self.down.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) {
            return Err(DomainError::Unavailable("event store is down".into()));
        }
        Ok(())
    }
}

#[async_trait]
impl Probe for MemoryEventStore {
    fn name(&self) -> &'static str {
        "object_store"
    }

    async fn check(&self) -> Result<(), DomainError> {
        self.available()
    }
}

#[async_trait]
impl EventStore for MemoryEventStore {
    async fn put_batch(
        &self,
        object: SegmentObject,
        at: DateTime<Utc>,
        events: &[Value],
    ) -> Result<(), DomainError> {
        self.available()?;
        let in_flight = self.writes_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_writes_in_flight.fetch_max(in_flight, Ordering::SeqCst);
        let latency = *self
            .write_latency
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        let batch = events.iter().map(|event| (at, event.clone())).collect();
        self.objects().insert(object, batch);
        self.writes_in_flight.fetch_sub(1, Ordering::SeqCst);
        Ok(())
    }

    async fn batches_written_before(&self, before: DateTime<Utc>) -> Result<Vec<SegmentObject>, DomainError> {
        self.available()?;
        Ok(self
            .objects()
            .iter()
            .filter(|(object, events)| {
                matches!(object.name, ObjectName::Batch(_))
                    && events.first().is_none_or(|(at, _)| *at < before)
            })
            .map(|(object, _)| *object)
            .collect())
    }

    async fn delete_batch(&self, object: SegmentObject) -> Result<(), DomainError> {
        self.available()?;
        self.objects().remove(&object);
        Ok(())
    }

    async fn get_segments(&self, segments: &[EventSegment]) -> Result<Vec<StoredEvent>, DomainError> {
        self.available()?;
        let objects = self.objects();
        let mut events = Vec::new();
        for segment in segments {
            let stored = objects.get(&segment.location()).ok_or(DomainError::Gone {
                code: tenantry_domain::event_gaps::EVENTS_MISSING,
            })?;
            events.extend(
                (segment.first_id..)
                    .zip(stored)
                    .map(|(id, (timestamp, event))| StoredEvent {
                        id,
                        timestamp: *timestamp,
                        event: event.clone(),
                    }),
            );
        }
        Ok(events)
    }

    async fn purge(&self, purge: PendingPurge) -> Result<(), DomainError> {
        self.available()?;
        self.objects().retain(|object, _| {
            object.org_id != purge.org_id
                || purge
                    .conversation_id
                    .is_some_and(|purged| purged != object.conversation_id)
        });
        Ok(())
    }
}

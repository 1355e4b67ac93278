use std::{collections::BTreeMap, sync::Mutex};

use async_trait::async_trait;
use tenantry_domain::{
    ConversationId, DomainError, OrgId, StoredEvent,
    ports::{EventSegment, EventStore, PendingPurge, Probe},
};

type SegmentKey = (OrgId, ConversationId, i64);

/// Event objects in memory, one per segment; can be switched off to act as a store that is down.
#[derive(Debug, Default)]
pub struct MemoryEventStore {
    objects: Mutex<BTreeMap<SegmentKey, Vec<StoredEvent>>>,
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

    /// How many segment objects are stored.
    pub fn object_count(&self) -> usize {
        self.objects().len()
    }

    fn objects(&self) -> std::sync::MutexGuard<'_, BTreeMap<SegmentKey, Vec<StoredEvent>>> {
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
    async fn put_segment(&self, segment: EventSegment, events: &[StoredEvent]) -> Result<(), DomainError> {
        self.available()?;
        self.objects().insert(
            (segment.org_id, segment.conversation_id, segment.first_id),
            events.to_vec(),
        );
        Ok(())
    }

    async fn get_segments(&self, segments: &[EventSegment]) -> Result<Vec<StoredEvent>, DomainError> {
        self.available()?;
        let objects = self.objects();
        let mut events = Vec::new();
        for segment in segments {
            let stored = objects
                .get(&(segment.org_id, segment.conversation_id, segment.first_id))
                .ok_or_else(|| DomainError::Internal("event segment missing".into()))?;
            events.extend(stored.iter().cloned());
        }
        Ok(events)
    }

    async fn purge(&self, purge: PendingPurge) -> Result<(), DomainError> {
        self.available()?;
        self.objects().retain(|(org, conversation, _), _| {
            *org != purge.org_id
                || purge
                    .conversation_id
                    .is_some_and(|purged| purged != *conversation)
        });
        Ok(())
    }
}

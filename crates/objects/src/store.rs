use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt, stream};
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, path::Path};
use serde::{Deserialize, Serialize};
use tenantry_domain::{
    DomainError, StoredEvent,
    ports::{EventSegment, EventStore, PendingPurge, Probe},
};

/// Segment reads in flight at once.
const READ_CONCURRENCY: usize = 16;

/// Conversation events kept in an object store, one object per appended batch (segment):
/// `orgs/{org}/conversations/{conversation}/events/{first_id:020}.json`.
#[derive(Debug, Clone)]
pub struct ObjectEventStore {
    store: Arc<dyn ObjectStore>,
}

impl ObjectEventStore {
    /// Events kept in `store`.
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        Self { store }
    }
}

#[derive(Serialize)]
struct EventOut<'a> {
    id: i64,
    timestamp: DateTime<Utc>,
    event: &'a serde_json::Value,
}

#[derive(Deserialize)]
struct EventIn {
    id: i64,
    timestamp: DateTime<Utc>,
    event: serde_json::Value,
}

fn org_prefix(purge: &PendingPurge) -> Path {
    match purge.conversation_id {
        Some(conversation) => Path::from(format!("orgs/{}/conversations/{conversation}", purge.org_id)),
        None => Path::from(format!("orgs/{}", purge.org_id)),
    }
}

fn segment_path(segment: &EventSegment) -> Path {
    Path::from(format!(
        "orgs/{}/conversations/{}/events/{:020}.json",
        segment.org_id, segment.conversation_id, segment.first_id
    ))
}

fn unavailable(error: object_store::Error) -> DomainError {
    tracing::warn!(%error, "object store unavailable");
    DomainError::Unavailable("object store".into())
}

#[async_trait]
impl Probe for ObjectEventStore {
    fn name(&self) -> &'static str {
        "object_store"
    }

    /// Writes a small marker: a store that cannot take a write is not ready for events.
    async fn check(&self) -> Result<(), DomainError> {
        self.store
            .put(&Path::from("_health/probe"), PutPayload::from_static(b"ok"))
            .await
            .map(|_| ())
            .map_err(unavailable)
    }
}

#[async_trait]
impl EventStore for ObjectEventStore {
    async fn put_segment(&self, segment: EventSegment, events: &[StoredEvent]) -> Result<(), DomainError> {
        let body: Vec<EventOut<'_>> = events
            .iter()
            .map(|event| EventOut {
                id: event.id,
                timestamp: event.timestamp,
                event: &event.event,
            })
            .collect();
        let bytes = serde_json::to_vec(&body).map_err(|error| DomainError::Internal(error.to_string()))?;
        self.store
            .put(&segment_path(&segment), PutPayload::from(bytes))
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn get_segments(&self, segments: &[EventSegment]) -> Result<Vec<StoredEvent>, DomainError> {
        let store = &self.store;
        let objects: Vec<Vec<EventIn>> = stream::iter(segments.iter().map(segment_path))
            .map(|path| async move {
                let bytes = store
                    .get(&path)
                    .await
                    .map_err(unavailable)?
                    .bytes()
                    .await
                    .map_err(unavailable)?;
                serde_json::from_slice::<Vec<EventIn>>(&bytes)
                    .map_err(|error| DomainError::Internal(format!("corrupt event segment {path}: {error}")))
            })
            .buffered(READ_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(objects
            .into_iter()
            .flatten()
            .map(|event| StoredEvent {
                id: event.id,
                timestamp: event.timestamp,
                event: event.event,
            })
            .collect())
    }

    async fn purge(&self, purge: PendingPurge) -> Result<(), DomainError> {
        let prefix = org_prefix(&purge);
        let locations = self
            .store
            .list(Some(&prefix))
            .map_ok(|meta| meta.location)
            .boxed();
        self.store
            .delete_stream(locations)
            .try_for_each(|_| async { Ok(()) })
            .await
            .or_else(|error| match error {
                object_store::Error::NotFound { .. } => Ok(()),
                other => Err(unavailable(other)),
            })
    }
}

#[cfg(test)]
mod tests {
    use object_store::memory::InMemory;
    use serde_json::json;
    use tenantry_domain::new_id;

    use super::*;

    fn events(first: i64, count: i64) -> Vec<StoredEvent> {
        (first..first + count)
            .map(|id| StoredEvent {
                id,
                timestamp: Utc::now(),
                event: json!({ "n": id }),
            })
            .collect()
    }

    #[tokio::test]
    async fn segments_round_trip_in_order() {
        let store = ObjectEventStore::new(Arc::new(InMemory::new()));
        let (org, conversation) = (new_id(), new_id());
        let first = EventSegment {
            org_id: org,
            conversation_id: conversation,
            first_id: 0,
            last_id: 2,
        };
        let second = EventSegment {
            org_id: org,
            conversation_id: conversation,
            first_id: 3,
            last_id: 3,
        };
        store.put_segment(first, &events(0, 3)).await.expect("put");
        store.put_segment(second, &events(3, 1)).await.expect("put");
        let read = store.get_segments(&[first, second]).await.expect("get");
        assert_eq!(
            read.iter().map(|event| event.id).collect::<Vec<_>>(),
            [0, 1, 2, 3]
        );
        assert_eq!(read[3].event, json!({ "n": 3 }));
    }

    #[tokio::test]
    async fn purging_a_conversation_leaves_the_others() {
        let inner = Arc::new(InMemory::new());
        let store = ObjectEventStore::new(inner.clone());
        let org = new_id();
        let (doomed, kept) = (new_id(), new_id());
        for conversation in [doomed, kept] {
            let segment = EventSegment {
                org_id: org,
                conversation_id: conversation,
                first_id: 0,
                last_id: 0,
            };
            store.put_segment(segment, &events(0, 1)).await.expect("put");
        }
        store
            .purge(PendingPurge {
                org_id: org,
                conversation_id: Some(doomed),
            })
            .await
            .expect("purge");
        let left: Vec<_> = inner.list(None).try_collect().await.expect("list");
        assert_eq!(left.len(), 1);
        assert!(left[0].location.as_ref().contains(&kept.to_string()));
        store
            .purge(PendingPurge {
                org_id: org,
                conversation_id: None,
            })
            .await
            .expect("purge org");
        let left: Vec<_> = inner.list(None).try_collect().await.expect("list");
        assert!(left.is_empty());
    }

    #[tokio::test]
    async fn probe_passes_on_a_working_store() {
        let store = ObjectEventStore::new(Arc::new(InMemory::new()));
        store.check().await.expect("ready");
    }

    #[tokio::test]
    async fn probe_fails_when_the_directory_is_unusable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("objects");
        let local = crate::open_object_store(root.to_str().expect("utf-8"), &crate::S3Options::default())
            .expect("opens");
        std::fs::remove_dir_all(&root).expect("remove");
        std::fs::write(&root, b"not a directory").expect("replace with a file");
        let store = ObjectEventStore::new(local);
        assert!(matches!(store.check().await, Err(DomainError::Unavailable(_))));
    }
}

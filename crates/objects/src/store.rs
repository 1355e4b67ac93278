use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt, stream};
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, path::Path};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tenantry_domain::{
    DomainError, StoredEvent,
    event_gaps::EVENTS_MISSING,
    ports::{EventSegment, EventStore, ObjectName, PendingPurge, Probe, SegmentObject},
};

/// Segment reads in flight at once.
const READ_CONCURRENCY: usize = 16;

/// Conversation events kept in an object store, one object per appended batch:
/// `orgs/{org}/conversations/{conversation}/batches/{batch}.json`, or
/// `…/events/{first_id:020}.json` for segments written under their first id. An object holds the
/// batch's events in order; their ids come from the segment that records it.
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
    timestamp: DateTime<Utc>,
    event: &'a serde_json::Value,
}

/// An event as stored; objects named by first id also carry the event's id, which the segment gives
/// anyway.
#[derive(Deserialize)]
struct EventIn {
    timestamp: DateTime<Utc>,
    event: serde_json::Value,
}

fn org_prefix(purge: &PendingPurge) -> Path {
    match purge.conversation_id {
        Some(conversation) => Path::from(format!("orgs/{}/conversations/{conversation}", purge.org_id)),
        None => Path::from(format!("orgs/{}", purge.org_id)),
    }
}

/// The batch object at `location` (`orgs/{org}/conversations/{id}/batches/{name}.json`), if it is one.
fn batch_at(location: &Path) -> Option<SegmentObject> {
    let parts: Vec<&str> = location.as_ref().split('/').collect();
    match parts.as_slice() {
        ["orgs", org, "conversations", conversation, "batches", file] => Some(SegmentObject {
            org_id: org.parse().ok()?,
            conversation_id: conversation.parse().ok()?,
            name: ObjectName::Batch(file.strip_suffix(".json")?.parse().ok()?),
        }),
        _ => None,
    }
}

fn object_path(object: &SegmentObject) -> Path {
    let conversation = format!("orgs/{}/conversations/{}", object.org_id, object.conversation_id);
    Path::from(match object.name {
        ObjectName::Batch(name) => format!("{conversation}/batches/{name}.json"),
        ObjectName::FirstId(first_id) => format!("{conversation}/events/{first_id:020}.json"),
    })
}

/// A segment's object that is not there ([`EVENTS_MISSING`]), or a store that does not answer.
fn missing_or_unavailable(error: object_store::Error) -> DomainError {
    match error {
        object_store::Error::NotFound { path, .. } => {
            tracing::error!(%path, "a recorded event segment's object is missing");
            DomainError::Gone { code: EVENTS_MISSING }
        }
        other => unavailable(other),
    }
}

fn unavailable(error: object_store::Error) -> DomainError {
    if is_storage_full(&error) {
        tracing::error!(%error, "object store full: writes fail until space is freed");
        return DomainError::StorageFull("object store".into());
    }
    tracing::warn!(%error, "object store unavailable");
    DomainError::Unavailable("object store".into())
}

/// Whether a write failed for want of space (ENOSPC, or a quota), anywhere in the error's causes.
fn is_storage_full(error: &object_store::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        if let Some(io) = current.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
            )
        {
            return true;
        }
        cause = current.source();
    }
    false
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
    async fn put_batch(
        &self,
        object: SegmentObject,
        at: DateTime<Utc>,
        events: &[Value],
    ) -> Result<(), DomainError> {
        let body: Vec<EventOut<'_>> = events
            .iter()
            .map(|event| EventOut { timestamp: at, event })
            .collect();
        let bytes = serde_json::to_vec(&body).map_err(|error| DomainError::Internal(error.to_string()))?;
        self.store
            .put(&object_path(&object), PutPayload::from(bytes))
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn delete_batch(&self, object: SegmentObject) -> Result<(), DomainError> {
        match self.store.delete(&object_path(&object)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(unavailable(error)),
        }
    }

    async fn get_segments(&self, segments: &[EventSegment]) -> Result<Vec<StoredEvent>, DomainError> {
        let store = &self.store;
        let objects: Vec<(EventSegment, Vec<EventIn>)> = stream::iter(segments.iter().copied())
            .map(|segment| async move {
                let path = object_path(&segment.location());
                let bytes = store
                    .get(&path)
                    .await
                    .map_err(missing_or_unavailable)?
                    .bytes()
                    .await
                    .map_err(missing_or_unavailable)?;
                let events = serde_json::from_slice::<Vec<EventIn>>(&bytes).map_err(|error| {
                    DomainError::Internal(format!("corrupt event segment {path}: {error}"))
                })?;
                if events.len() as i64 != segment.last_id - segment.first_id + 1 {
                    return Err(DomainError::Internal(format!(
                        "event segment {path} holds {} events, its record {}",
                        events.len(),
                        segment.last_id - segment.first_id + 1
                    )));
                }
                Ok((segment, events))
            })
            .buffered(READ_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(objects
            .into_iter()
            .flat_map(|(segment, events)| {
                events
                    .into_iter()
                    .zip(segment.first_id..)
                    .map(|(event, id)| StoredEvent {
                        id,
                        timestamp: event.timestamp,
                        event: event.event,
                    })
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

    async fn batches_written_before(&self, before: DateTime<Utc>) -> Result<Vec<SegmentObject>, DomainError> {
        let prefix = Path::from("orgs");
        self.store
            .list(Some(&prefix))
            .map_err(unavailable)
            .try_filter_map(|meta| async move {
                Ok((meta.last_modified < before)
                    .then(|| batch_at(&meta.location))
                    .flatten())
            })
            .try_collect()
            .await
    }
}

#[cfg(test)]
mod tests {
    use object_store::memory::InMemory;
    use serde_json::json;
    use tenantry_domain::{ConversationId, OrgId, new_id};

    use super::*;

    fn events(first: i64, count: i64) -> Vec<Value> {
        (first..first + count).map(|n| json!({ "n": n })).collect()
    }

    /// Writes a batch and the segment that records it with ids from `first_id`.
    async fn appended(
        store: &ObjectEventStore,
        org: OrgId,
        conversation: ConversationId,
        first_id: i64,
        count: i64,
    ) -> EventSegment {
        let object = SegmentObject::new_batch(org, conversation);
        store
            .put_batch(object, Utc::now(), &events(first_id, count))
            .await
            .expect("put");
        tenantry_domain::event_ids::allocate(object, first_id, count as usize).expect("allocate")
    }

    #[tokio::test]
    async fn segments_round_trip_in_order_with_their_ids() {
        let store = ObjectEventStore::new(Arc::new(InMemory::new()));
        let (org, conversation) = (new_id(), new_id());
        let first = appended(&store, org, conversation, 0, 3).await;
        let second = appended(&store, org, conversation, 3, 1).await;
        let read = store.get_segments(&[first, second]).await.expect("get");
        assert_eq!(
            read.iter().map(|event| event.id).collect::<Vec<_>>(),
            [0, 1, 2, 3]
        );
        assert_eq!(read[3].event, json!({ "n": 3 }));
    }

    #[tokio::test]
    async fn objects_named_by_first_id_are_still_read() {
        let inner = Arc::new(InMemory::new());
        let store = ObjectEventStore::new(inner.clone());
        let (org, conversation) = (new_id(), new_id());
        let stored = json!([
            { "id": 5, "timestamp": "2026-01-01T00:00:00Z", "event": { "n": 5 } },
            { "id": 6, "timestamp": "2026-01-01T00:00:00Z", "event": { "n": 6 } }
        ]);
        let path = Path::from(format!(
            "orgs/{org}/conversations/{conversation}/events/{:020}.json",
            5
        ));
        inner
            .put(&path, PutPayload::from(serde_json::to_vec(&stored).unwrap()))
            .await
            .expect("put");
        let segment = EventSegment {
            org_id: org,
            conversation_id: conversation,
            first_id: 5,
            last_id: 6,
            object: None,
        };
        let read = store.get_segments(&[segment]).await.expect("get");
        assert_eq!(read.iter().map(|event| event.id).collect::<Vec<_>>(), [5, 6]);
        assert_eq!(read[1].event, json!({ "n": 6 }));
    }

    #[tokio::test]
    async fn a_deleted_batch_is_gone_and_deleting_it_again_is_fine() {
        let inner = Arc::new(InMemory::new());
        let store = ObjectEventStore::new(inner.clone());
        let object = SegmentObject::new_batch(new_id(), new_id());
        store
            .put_batch(object, Utc::now(), &events(0, 2))
            .await
            .expect("put");
        store.delete_batch(object).await.expect("delete");
        store.delete_batch(object).await.expect("delete again");
        let left: Vec<_> = inner.list(None).try_collect().await.expect("list");
        assert!(left.is_empty());
    }

    #[tokio::test]
    async fn purging_a_conversation_leaves_the_others() {
        let inner = Arc::new(InMemory::new());
        let store = ObjectEventStore::new(inner.clone());
        let org = new_id();
        let (doomed, kept) = (new_id(), new_id());
        for conversation in [doomed, kept] {
            appended(&store, org, conversation, 0, 1).await;
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

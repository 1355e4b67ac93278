//! Event ids: dense per conversation (0, 1, 2, …) and visible only once their events are stored.
//! A batch is written to an object of its own first, without ids and without holding any lock; the
//! conversation is then locked only to give the batch the ids that follow its count and to record
//! the segment, which commit together. A failed write allocates nothing, and appenders of one
//! conversation wait for each other only for the length of that short transaction.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::{
    ConversationId, DomainError, OrgId,
    conversations::append_idempotency::{IdempotencyKey, replay},
    ports::{AppendedRange, EventSegment, EventStore, ObjectName, SegmentObject, UnitOfWork},
};

/// The segment a batch of `count` events written to `object` becomes in a conversation that holds
/// `event_count` events: the ids that follow.
pub fn allocate(object: SegmentObject, event_count: i64, count: usize) -> Result<EventSegment, DomainError> {
    let count = i64::try_from(count)
        .ok()
        .filter(|count| *count > 0)
        .ok_or_else(|| DomainError::invalid("events", "send at least one event"))?;
    let ObjectName::Batch(name) = object.name else {
        return Err(DomainError::Internal("only new batches get ids".into()));
    };
    Ok(EventSegment {
        org_id: object.org_id,
        conversation_id: object.conversation_id,
        first_id: event_count,
        last_id: event_count + count - 1,
        object: Some(name),
    })
}

/// The adapters an append goes through.
#[derive(Clone, Copy)]
pub struct AppendPorts<'a> {
    /// Records segments under the conversation's lock.
    pub unit_of_work: &'a dyn UnitOfWork,
    /// Holds the batches.
    pub store: &'a dyn EventStore,
}

/// Appends `events` to a conversation of `org`: writes them, then records them under the
/// conversation's lock. `NotFound` when the conversation is gone (or in another org); the written
/// batch is deleted again whenever it was certainly not recorded. When the commit itself failed
/// (the connection cut while it was in flight) the outcome is unknown: the batch's segment is looked
/// for, and if it landed the append succeeded; if it cannot be found the batch is kept, because a
/// commit still finishing may point to it.
pub async fn write_then_record(
    ports: AppendPorts<'_>,
    org: OrgId,
    conversation: ConversationId,
    events: &[Value],
    at: DateTime<Utc>,
) -> Result<AppendedRange, DomainError> {
    write_then_record_from(ports, org, conversation, events, at, None, None).await
}

/// As [`write_then_record`], once per `key`: a batch whose key the conversation saw before appends
/// nothing and answers the ids the first one got ([`replay`]).
pub async fn write_then_record_keyed(
    ports: AppendPorts<'_>,
    org: OrgId,
    conversation: ConversationId,
    events: &[Value],
    key: &IdempotencyKey,
    at: DateTime<Utc>,
) -> Result<AppendedRange, DomainError> {
    write_then_record_from(ports, org, conversation, events, at, None, Some(key)).await
}

/// As [`write_then_record`], but only if the events get ids from `first_id` on: `Conflict`
/// (`events_moved_on`) when someone else appended meanwhile. An import uses it, so two imports of
/// one store at once cannot both append the same events.
pub async fn write_then_record_at(
    ports: AppendPorts<'_>,
    org: OrgId,
    conversation: ConversationId,
    events: &[Value],
    at: DateTime<Utc>,
    first_id: i64,
) -> Result<AppendedRange, DomainError> {
    write_then_record_from(ports, org, conversation, events, at, Some(first_id), None).await
}

async fn write_then_record_from(
    ports: AppendPorts<'_>,
    org: OrgId,
    conversation: ConversationId,
    events: &[Value],
    at: DateTime<Utc>,
    first_id: Option<i64>,
    key: Option<&IdempotencyKey>,
) -> Result<AppendedRange, DomainError> {
    let object = SegmentObject::new_batch(org, conversation);
    ports.store.put_batch(object, at, events).await?;
    let batch = Batch {
        object,
        count: events.len(),
        first_id,
        key,
    };
    match record(ports.unit_of_work, batch, at).await {
        Recorded::Done(range) => Ok(range),
        Recorded::Replayed(range) => {
            forget(ports.store, object).await;
            Ok(range)
        }
        Recorded::Not(error) => {
            forget(ports.store, object).await;
            Err(error)
        }
        Recorded::Unknown(error) => settle_unknown_commit(ports, object, error).await,
    }
}

/// A written batch to record.
struct Batch<'a> {
    object: SegmentObject,
    count: usize,
    /// The ids it must get, if any.
    first_id: Option<i64>,
    /// The client's idempotency key, if any.
    key: Option<&'a IdempotencyKey>,
}

/// What became of recording a batch.
enum Recorded {
    /// Committed.
    Done(AppendedRange),
    /// Its key was used before: nothing recorded; the ids of that first batch.
    Replayed(AppendedRange),
    /// Certainly not recorded: nothing points to the batch.
    Not(DomainError),
    /// The commit failed in flight: it may have landed.
    Unknown(DomainError),
}

async fn record(unit_of_work: &dyn UnitOfWork, batch: Batch<'_>, at: DateTime<Utc>) -> Recorded {
    let object = batch.object;
    let prepared = async {
        let transaction = unit_of_work.begin().await?;
        let log = transaction.event_log();
        let locked = log
            .lock_conversation(object.conversation_id)
            .await?
            .filter(|locked| locked.org_id == object.org_id)
            .ok_or(DomainError::NotFound)?;
        if let Some(key) = batch.key
            && let Some(earlier) = log.keyed_batch(object.conversation_id, key).await?
        {
            return Ok(Err(replay(earlier, batch.count)?));
        }
        if batch
            .first_id
            .is_some_and(|first_id| first_id != locked.event_count)
        {
            return Err(DomainError::conflict(
                "events_moved_on",
                "the conversation got other events meanwhile",
            ));
        }
        let segment = allocate(object, locked.event_count, batch.count)?;
        log.record_segment(segment, at).await?;
        if let Some(key) = batch.key {
            log.key_segment(object.conversation_id, segment.first_id, key)
                .await?;
        }
        Ok(Ok((transaction, segment)))
    };
    let (transaction, segment) = match prepared.await {
        Ok(Ok(prepared)) => prepared,
        Ok(Err(earlier)) => return Recorded::Replayed(earlier),
        Err(error) => return Recorded::Not(error),
    };
    match transaction.commit().await {
        Ok(()) => Recorded::Done(AppendedRange {
            first_id: segment.first_id,
            last_id: segment.last_id,
        }),
        Err(error) => Recorded::Unknown(error),
    }
}

/// After a commit whose outcome is unknown: the append succeeded if the batch's segment is there;
/// otherwise the caller is told the outcome is unknown and the batch stays where a late commit could
/// find it. The conversation is locked first, which waits for the cut transaction to end (it held
/// that lock until its commit or rollback finished), so the segment is read once the outcome is
/// final, on another connection.
async fn settle_unknown_commit(
    ports: AppendPorts<'_>,
    object: SegmentObject,
    error: DomainError,
) -> Result<AppendedRange, DomainError> {
    let ObjectName::Batch(batch) = object.name else {
        return Err(error);
    };
    let settled = async {
        let transaction = ports.unit_of_work.begin().await?;
        let log = transaction.event_log();
        log.lock_conversation(object.conversation_id).await?;
        log.batch_segment(object.conversation_id, batch).await
    };
    match settled.await {
        Ok(Some(range)) => Ok(range),
        Ok(None) | Err(_) => Err(DomainError::OutcomeUnknown(error.to_string())),
    }
}

/// Deletes a batch no segment will point to. If that fails too, the object stays unreferenced (no
/// read reaches it) until its conversation is purged.
async fn forget(store: &dyn EventStore, object: SegmentObject) {
    let _ = store.delete_batch(object).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::new_id;

    #[test]
    fn ids_follow_the_count_densely() {
        let object = SegmentObject::new_batch(new_id(), new_id());
        let segment = allocate(object, 7, 2).unwrap();
        assert_eq!((segment.first_id, segment.last_id), (7, 8));
        assert_eq!(segment.location(), object);
    }

    #[test]
    fn an_empty_batch_allocates_nothing() {
        let object = SegmentObject::new_batch(new_id(), new_id());
        let error = allocate(object, 0, 0).unwrap_err();
        assert!(matches!(error, DomainError::Validation(_)));
    }

    #[test]
    fn objects_named_by_first_id_are_never_allocated_again() {
        let object = SegmentObject {
            org_id: new_id(),
            conversation_id: new_id(),
            name: ObjectName::FirstId(0),
        };
        assert!(matches!(allocate(object, 0, 1), Err(DomainError::Internal(_))));
    }
}

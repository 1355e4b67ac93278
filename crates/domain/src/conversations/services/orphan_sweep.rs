//! Deletes the event batches no segment points to once they are past the grace of
//! [`crate::conversations::orphan_batches`].

use std::sync::Arc;

use chrono::Duration;

use crate::{
    DomainError,
    clock::Clock,
    conversations::orphan_batches::written_before,
    ports::{EventIndex, EventStore, ObjectName},
};

/// How many batches are checked against the segments in one query.
const CHECK_CHUNK: usize = 500;

/// The sweep of orphaned event batches.
#[derive(Clone)]
pub struct OrphanSweep {
    events: Arc<dyn EventStore>,
    index: Arc<dyn EventIndex>,
    clock: Arc<dyn Clock>,
    grace: Duration,
}

impl OrphanSweep {
    /// A sweep over the event store and the segments, deleting batches older than `grace` that no
    /// segment points to.
    pub fn new(
        events: Arc<dyn EventStore>,
        index: Arc<dyn EventIndex>,
        clock: Arc<dyn Clock>,
        grace: Duration,
    ) -> Self {
        Self {
            events,
            index,
            clock,
            grace,
        }
    }

    /// Deletes every orphaned batch past the grace; returns how many.
    pub async fn sweep(&self) -> Result<u64, DomainError> {
        let before = written_before(self.clock.now(), self.grace);
        let candidates = self.events.batches_written_before(before).await?;
        let mut deleted = 0;
        for chunk in candidates.chunks(CHECK_CHUNK) {
            let named: Vec<_> = chunk
                .iter()
                .filter_map(|object| match object.name {
                    ObjectName::Batch(name) => Some((object.conversation_id, name)),
                    ObjectName::FirstId(_) => None,
                })
                .collect();
            let recorded = self.index.recorded_batches(&named).await?;
            for object in chunk {
                let ObjectName::Batch(name) = object.name else {
                    continue;
                };
                if !recorded.contains(&name) {
                    self.events.delete_batch(*object).await?;
                    deleted += 1;
                }
            }
        }
        Ok(deleted)
    }
}

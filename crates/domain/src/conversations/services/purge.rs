use std::sync::Arc;

use crate::{
    DomainError,
    ports::{EventStore, PurgeQueue},
};

/// Deletes event objects whose conversations or orgs are gone. Deletions are recorded in SQL in
/// the same transaction as the metadata, so a failed or interrupted purge is retried, never lost.
#[derive(Clone)]
pub struct EventPurger {
    queue: Arc<dyn PurgeQueue>,
    events: Arc<dyn EventStore>,
}

impl EventPurger {
    /// A purger over the recorded deletions and the event store.
    pub fn new(queue: Arc<dyn PurgeQueue>, events: Arc<dyn EventStore>) -> Self {
        Self { queue, events }
    }

    /// Purges everything pending; returns how many purges completed. Stops at the first failure
    /// (the rest waits for the next run).
    pub async fn purge_pending(&self) -> Result<usize, DomainError> {
        let mut done = 0;
        loop {
            let pending = self.queue.pending_purges(100).await?;
            if pending.is_empty() {
                return Ok(done);
            }
            for purge in pending {
                self.events.purge(purge).await?;
                self.queue.purge_done(purge).await?;
                done += 1;
            }
        }
    }
}

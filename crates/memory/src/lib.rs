//! Tenantry's ports in memory.
//!
//! [`MemoryStore`] holds every table in one process and implements each storage port over them,
//! with the same rules the SQL adapter keeps (unique names, dense event ids, revocations) and the
//! same transactional guarantee: a [`UnitOfWork`](tenantry_domain::ports::UnitOfWork) transaction
//! holds the whole store until it commits or is dropped, so decisions taken inside it are
//! serialised, and its writes appear all at once or not at all. [`MemoryEventStore`] keeps event
//! objects, [`Outbox`] keeps mail and [`ManualClock`] is a clock tests move by hand.
//!
//! Nothing is persisted: this adapter is for tests of the domain's services and for variants that
//! keep their state elsewhere.

mod accounts;
mod api_keys;
mod background;
mod billing;
mod clock;
mod conversations;
mod credentials;
mod device_authorizations;
mod event_store;
mod expired_rows;
mod llm_profiles;
mod mailer;
mod mfa;
mod operator_reads;
mod orgs;
mod remote_deletions;
mod request_counters;
mod retention;
mod sandbox_runtime;
mod sandboxes;
mod secrets;
mod settings;
mod shares;
mod signals;
mod spend;
mod sso;
mod start_tasks;
mod tables;
mod throttle;
mod unit_of_work;
mod usage_counting;

pub use background::QueuedTasks;
pub use clock::ManualClock;
pub use event_store::MemoryEventStore;
pub use mailer::Outbox;
pub use request_counters::MemoryRequestCounters;
pub use sandbox_runtime::MemorySandboxRuntime;
pub use signals::{BroadcastReceiver, MemorySignalBus};

use std::sync::Arc;

use tables::Tables;
use tokio::sync::Mutex;

/// Every table, in memory; cheap to clone (clones share the tables).
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    tables: Arc<Mutex<Tables>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `read` on the tables as they are committed now.
    async fn read<T>(&self, read: impl FnOnce(&Tables) -> T) -> T {
        read(&*self.tables.lock().await)
    }

    /// Runs `write` on the tables: it sees and changes them alone, as one atomic step.
    async fn write<T>(&self, write: impl FnOnce(&mut Tables) -> T) -> T {
        write(&mut *self.tables.lock().await)
    }
}

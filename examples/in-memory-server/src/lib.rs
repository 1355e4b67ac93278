//! Tenantry with every store in memory: the production server, assembled from the crates, with one
//! adapter swapped — the SQL and object stores give way to [`tenantry_memory`]. Nothing survives a
//! restart, which suits demos and throwaway environments; a variant keeping its state elsewhere
//! swaps the same fields for its own adapters.

use std::sync::Arc;

use tenantry::{Application, Config, wiring::Adapters};
use tenantry_domain::ports::SessionThenRead;
use tenantry_memory::{MemoryEventStore, MemoryRequestCounters, MemoryStore};

/// Replaces every store of `adapters` with one shared in-memory store and in-memory event objects.
pub fn keep_everything_in_memory(adapters: &mut Adapters) {
    let store = Arc::new(MemoryStore::new());
    let events = Arc::new(MemoryEventStore::new());
    adapters.unit_of_work = store.clone();
    adapters.accounts = store.clone();
    adapters.credentials = store.clone();
    adapters.sessions = store.clone();
    adapters.one_time_tokens = store.clone();
    adapters.login_throttle = store.clone();
    adapters.orgs = store.clone();
    adapters.member_directory = store.clone();
    adapters.audit_log = store.clone();
    adapters.conversations = store.clone();
    adapters.event_index = store.clone();
    adapters.session_reads = Arc::new(SessionThenRead {
        sessions: store.clone(),
        conversations: store.clone(),
        event_index: store.clone(),
    });
    adapters.purge_queue = store.clone();
    adapters.retention = store.clone();
    adapters.secrets = store.clone();
    adapters.settings = store.clone();
    adapters.api_keys = store.clone();
    adapters.sandboxes = store.clone();
    adapters.start_tasks = store.clone();
    adapters.device_authorizations = store.clone();
    adapters.llm_profiles = store.clone();
    adapters.remote_deletions = store.clone();
    adapters.mfa = store.clone();
    adapters.sso = store.clone();
    adapters.billing = store.clone();
    adapters.spend = store.clone();
    adapters.operator_reads = store.clone();
    adapters.request_counters = Arc::new(MemoryRequestCounters::new());
    adapters.shares = store.clone();
    adapters.stream_tickets = store.clone();
    adapters.expired_rows = store;
    adapters.event_store = events.clone();
    adapters.probes = vec![events];
}

/// Builds the server from `config`, its stores in memory.
pub async fn build(config: Config) -> anyhow::Result<Application> {
    Application::build_with(config, keep_everything_in_memory).await
}

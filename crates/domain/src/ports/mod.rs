//! The ports: what the domain needs from the outside world, as traits adapters implement.
//!
//! Ports are used as `Arc<dyn Port>` so adapters are chosen at run time from configuration.

mod event_store;
mod probe;

pub use event_store::EventStore;
pub use probe::Probe;

//! Moving an org's data in and out of Tenantry.
//!
//! - [`ArchiveSink`] writes an org export as a streamed tar.gz (the export service's sink);
//! - [`open_source`] opens what `tenantry import openhands` reads: a Tenantry archive, an agent
//!   server's persistence directory, or a single-user OpenHands file store, each as an
//!   [`ImportSource`](tenantry_domain::ports::ImportSource) fed by a reader thread.

mod agent_server_store;
mod archive_layout;
mod archive_sink;
mod archive_source;
mod confined_files;
mod fernet_key;
mod file_store;
mod read_limits;
mod source_reading;
mod source_thread;
mod sources;

pub use archive_sink::ArchiveSink;
pub use sources::{SourceKind, open_source};

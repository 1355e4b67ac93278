//! The object_store adapter for Tenantry's [`EventStore`](tenantry_domain::ports::EventStore) port.
//!
//! One store, chosen by URL: `file:///abs/dir` (or a plain path) for a local directory, `s3://bucket/prefix`
//! for S3 and S3-compatible servers (MinIO and friends), `memory://` for tests.

mod cache;
mod open;
mod store;

pub use cache::CachedEventStore;
pub use open::{S3Options, StorageUrlError, open_object_store};
pub use store::ObjectEventStore;

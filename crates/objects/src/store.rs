use std::sync::Arc;

use async_trait::async_trait;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, path::Path};
use tenantry_domain::{
    DomainError,
    ports::{EventStore, Probe},
};

/// Conversation events kept in an object store.
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
impl EventStore for ObjectEventStore {}

#[cfg(test)]
mod tests {
    use object_store::memory::InMemory;

    use super::*;

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

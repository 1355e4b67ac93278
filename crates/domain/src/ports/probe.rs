use async_trait::async_trait;

use crate::DomainError;

/// A backing service whose health decides readiness (the database, the object store).
#[async_trait]
pub trait Probe: Send + Sync {
    /// A short name for reports (`database`, `object_store`).
    fn name(&self) -> &'static str;

    /// Succeeds when the service answers; fails with [`DomainError::Unavailable`] otherwise.
    async fn check(&self) -> Result<(), DomainError>;
}

use async_trait::async_trait;

use crate::{DomainError, ports::Transaction};

/// Begins units of work. A use case that must decide on several rows at once begins one, reads
/// what it decides on under locks, decides (in the domain), writes, and commits: the adapter only
/// reads, writes and locks, and the decision holds under concurrency on every backend.
#[async_trait]
pub trait UnitOfWork: Send + Sync {
    /// Begins a transaction that will write. Dropped without [`Transaction::commit`], it rolls back.
    async fn begin(&self) -> Result<Box<dyn Transaction>, DomainError>;
}

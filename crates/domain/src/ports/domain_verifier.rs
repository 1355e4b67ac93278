use async_trait::async_trait;

use crate::DomainError;

/// Looks up what a domain publishes, to check an org's claim to it.
#[async_trait]
pub trait DomainVerifier: Send + Sync {
    /// The TXT records under `name` (each record's strings joined); empty when there are none or
    /// the name does not exist. `Unavailable` when the lookup itself failed.
    async fn txt_records(&self, name: &str) -> Result<Vec<String>, DomainError>;
}

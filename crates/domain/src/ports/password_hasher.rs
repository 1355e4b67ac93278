use async_trait::async_trait;

use crate::{DomainError, SecretString};

/// The result of checking a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    /// It matches; `needs_rehash` when the stored hash uses outdated parameters.
    Match {
        /// The stored hash should be replaced by a hash with the current parameters.
        needs_rehash: bool,
    },
    /// It does not match (or there was nothing to match against).
    Mismatch,
}

/// Hashes and verifies passwords. Implementations keep the work off the async executor.
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// A PHC-format hash of `password` with a fresh salt.
    async fn hash(&self, password: &SecretString) -> Result<String, DomainError>;

    /// Checks `password` against `stored`. With `None` it does the same amount of work and answers
    /// [`PasswordCheck::Mismatch`], so unknown accounts cannot be told apart by timing.
    async fn verify(
        &self,
        password: &SecretString,
        stored: Option<&str>,
    ) -> Result<PasswordCheck, DomainError>;
}

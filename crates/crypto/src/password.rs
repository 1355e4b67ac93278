//! argon2id password hashing, off the async executor and bounded in concurrency.

use std::sync::Arc;

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier as _, Version};
use async_trait::async_trait;
use tenantry_domain::{
    DomainError, SecretString,
    ports::{PasswordCheck, PasswordHasher},
};
use tokio::sync::Semaphore;

/// argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Settings {
    /// Memory, in KiB (at least 19456).
    pub memory_kib: u32,
    /// Passes over memory (at least 2).
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
    /// Hashes computed at once; more callers wait their turn, so a login storm cannot take every
    /// blocking thread or all the memory.
    pub max_concurrent: usize,
}

/// [`PasswordHasher`] with argon2id.
#[derive(Clone)]
pub struct Argon2Hasher {
    params: Params,
    permits: Arc<Semaphore>,
    /// Verified against when an account has no hash, so unknown emails cost the same work.
    decoy_hash: Arc<str>,
}

impl Argon2Hasher {
    /// A hasher with these parameters. Computes one decoy hash up front.
    pub fn new(settings: Argon2Settings) -> Result<Self, DomainError> {
        let params = Params::new(
            settings.memory_kib,
            settings.iterations,
            settings.parallelism,
            None,
        )
        .map_err(|error| DomainError::Internal(format!("invalid argon2 parameters: {error}")))?;
        let decoy = hash_with(&params, b"decoy password never matched")?;
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(settings.max_concurrent.max(1))),
            decoy_hash: decoy.into(),
        })
    }

    async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, DomainError> + Send + 'static,
    ) -> Result<T, DomainError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| DomainError::Internal("hasher closed".into()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|error| DomainError::Internal(format!("hashing task failed: {error}")))?
    }
}

fn argon2id(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

fn hash_with(params: &Params, password: &[u8]) -> Result<String, DomainError> {
    argon2id(params)
        .hash_password(password)
        .map(|hash| hash.to_string())
        .map_err(|error| DomainError::Internal(format!("hashing failed: {error}")))
}

fn check(params: &Params, password: &[u8], stored: &str) -> PasswordCheck {
    let Ok(hash) = PasswordHash::new(stored) else {
        return PasswordCheck::Mismatch;
    };
    // The stored hash names its own algorithm and parameters; verification follows them.
    if argon2id(params).verify_password(password, &hash).is_err() {
        return PasswordCheck::Mismatch;
    }
    let needs_rehash = hash.algorithm.as_str() != "argon2id"
        || Params::try_from(&hash).map_or(true, |stored| {
            stored.m_cost() != params.m_cost()
                || stored.t_cost() != params.t_cost()
                || stored.p_cost() != params.p_cost()
        });
    PasswordCheck::Match { needs_rehash }
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &SecretString) -> Result<String, DomainError> {
        let params = self.params.clone();
        let password = password.clone();
        self.run_blocking(move || hash_with(&params, password.expose().as_bytes()))
            .await
    }

    async fn verify(
        &self,
        password: &SecretString,
        stored: Option<&str>,
    ) -> Result<PasswordCheck, DomainError> {
        let params = self.params.clone();
        let password = password.clone();
        let known = stored.is_some();
        let stored: String = stored.unwrap_or(&self.decoy_hash).to_owned();
        let outcome = self
            .run_blocking(move || Ok(check(&params, password.expose().as_bytes(), &stored)))
            .await?;
        Ok(if known { outcome } else { PasswordCheck::Mismatch })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: Argon2Settings = Argon2Settings {
        memory_kib: 19456,
        iterations: 2,
        parallelism: 1,
        max_concurrent: 2,
    };

    #[tokio::test]
    async fn hashes_with_argon2id_and_the_configured_parameters() {
        let hasher = Argon2Hasher::new(FAST).expect("hasher");
        let hash = hasher
            .hash(&SecretString::new("correct horse battery"))
            .await
            .expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
    }

    #[tokio::test]
    async fn verifies_exactly_as_typed() {
        let hasher = Argon2Hasher::new(FAST).expect("hasher");
        let hash = hasher
            .hash(&SecretString::new("Pässwörd with spaces "))
            .await
            .expect("hash");
        let right = hasher
            .verify(&SecretString::new("Pässwörd with spaces "), Some(&hash))
            .await;
        assert_eq!(
            right.expect("verify"),
            PasswordCheck::Match { needs_rehash: false }
        );
        for wrong in [
            "Pässwörd with spaces",
            "pässwörd with spaces ",
            "Passwörd with spaces ",
        ] {
            let outcome = hasher
                .verify(&SecretString::new(wrong), Some(&hash))
                .await
                .expect("verify");
            assert_eq!(outcome, PasswordCheck::Mismatch, "{wrong:?}");
        }
    }

    #[tokio::test]
    async fn asks_for_a_rehash_when_parameters_change() {
        let old = Argon2Hasher::new(FAST).expect("hasher");
        let hash = old
            .hash(&SecretString::new("correct horse battery"))
            .await
            .expect("hash");
        let stronger = Argon2Hasher::new(Argon2Settings {
            iterations: 3,
            ..FAST
        })
        .expect("hasher");
        let outcome = stronger
            .verify(&SecretString::new("correct horse battery"), Some(&hash))
            .await;
        assert_eq!(
            outcome.expect("verify"),
            PasswordCheck::Match { needs_rehash: true }
        );
    }

    #[tokio::test]
    async fn a_missing_hash_never_matches() {
        let hasher = Argon2Hasher::new(FAST).expect("hasher");
        let outcome = hasher
            .verify(&SecretString::new("decoy password never matched"), None)
            .await;
        assert_eq!(outcome.expect("verify"), PasswordCheck::Mismatch);
    }
}

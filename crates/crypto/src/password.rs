//! argon2id password hashing, off the async executor, on a small pool of dedicated threads.

use std::sync::{Arc, Mutex, mpsc};

use std::cell::RefCell;

use argon2::{
    ARGON2ID_IDENT, Algorithm, Argon2, Block, Params, PasswordHash, Version,
    password_hash::phc::{Output, ParamsString, Salt},
};
use async_trait::async_trait;
use tenantry_domain::{
    DomainError, SecretString,
    ports::{PasswordCheck, PasswordHasher},
};
use tokio::sync::oneshot;

/// argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Settings {
    /// Memory, in KiB (at least 19456).
    pub memory_kib: u32,
    /// Passes over memory (at least 2).
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
    /// Hashes computed at once (threads of the hashing pool); more callers wait their turn, so a
    /// login storm can neither take every core nor grow memory beyond this many hashes.
    pub max_concurrent: usize,
}

/// [`PasswordHasher`] with argon2id.
#[derive(Clone)]
pub struct Argon2Hasher {
    params: Params,
    pool: Arc<HashPool>,
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
            pool: Arc::new(HashPool::new(settings.max_concurrent.max(1))?),
            decoy_hash: decoy.into(),
        })
    }

    async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, DomainError> + Send + 'static,
    ) -> Result<T, DomainError> {
        self.pool.run(work).await?
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of threads that run hashing jobs in arrival order.
///
/// Dedicated threads, rather than tokio's blocking pool, keep the memory of argon2's working area in
/// as many allocator arenas as there are threads: with a growing blocking pool, every new thread's
/// arena kept its own 19 MiB and a login storm pushed the process past a gigabyte.
struct HashPool {
    jobs: Mutex<mpsc::Sender<Job>>,
}

impl HashPool {
    fn new(threads: usize) -> Result<Self, DomainError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || {
                    loop {
                        // The lock is held only to take the next job; the pool ends with its sender.
                        let next = queue
                            .lock()
                            .map_err(|_| ())
                            .and_then(|queue| queue.recv().map_err(|_| ()));
                        match next {
                            Ok(job) => job(),
                            Err(()) => return,
                        }
                    }
                })
                .map_err(|error| DomainError::Internal(format!("cannot start hashing threads: {error}")))?;
        }
        Ok(Self {
            jobs: Mutex::new(jobs),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, DomainError> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
        });
        self.jobs
            .lock()
            .map_err(|_| DomainError::Internal("hashing pool poisoned".into()))?
            .send(job)
            .map_err(|_| DomainError::Internal("hashing pool stopped".into()))?;
        result
            .await
            .map_err(|_| DomainError::Internal("hashing job failed".into()))
    }
}

thread_local! {
    /// argon2's working memory, kept by each hashing thread and reused for every hash: allocating
    /// and freeing 19 MiB per hash makes glibc raise its mmap threshold and keep the freed memory,
    /// which grew a login storm's footprint past 200 MiB.
    static WORKING_MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs argon2 (`algorithm`, `version`, `params`) over `password` and `salt` into `out`, in this
/// thread's reusable working memory.
fn compute(
    algorithm: Algorithm,
    version: Version,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), argon2::Error> {
    WORKING_MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        let blocks = params.block_count();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        Argon2::new(algorithm, version, params.clone()).hash_password_into_with_memory(
            password,
            salt,
            out,
            &mut memory[..blocks],
        )
    })
}

fn hash_with(params: &Params, password: &[u8]) -> Result<String, DomainError> {
    let failed = |error: &dyn std::fmt::Display| DomainError::Internal(format!("hashing failed: {error}"));
    let salt = Salt::generate();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    compute(
        Algorithm::Argon2id,
        Version::V0x13,
        params,
        password,
        salt.as_ref(),
        &mut out,
    )
    .map_err(|error| failed(&error))?;
    let hash = PasswordHash {
        algorithm: ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(|error| failed(&error))?,
        salt: Some(salt),
        hash: Some(Output::new(&out).map_err(|error| failed(&error))?),
    };
    Ok(hash.to_string())
}

/// Whether `password` produces the hash `stored` names, following the stored algorithm, version and
/// parameters.
fn verify(password: &[u8], stored: &PasswordHash) -> bool {
    let (Some(salt), Some(expected)) = (&stored.salt, &stored.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(stored.algorithm.as_str()),
        Params::try_from(stored),
    ) else {
        return false;
    };
    let version = stored.version.map_or(Ok(Version::V0x13), Version::try_from);
    let Ok(version) = version else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    if compute(algorithm, version, &params, password, salt.as_ref(), &mut out).is_err() {
        return false;
    }
    // `Output` compares in constant time.
    Output::new(&out).is_ok_and(|computed| &computed == expected)
}

fn check(params: &Params, password: &[u8], stored: &str) -> PasswordCheck {
    let Ok(hash) = PasswordHash::new(stored) else {
        return PasswordCheck::Mismatch;
    };
    if !verify(password, &hash) {
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
    async fn hashes_interoperate_with_the_argon2_crates_own_format() {
        use argon2::PasswordHasher as _;
        let params = Params::new(FAST.memory_kib, FAST.iterations, FAST.parallelism, None).expect("params");
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
            .hash_password(b"shared passphrase")
            .expect("hash")
            .to_string();
        let hasher = Argon2Hasher::new(FAST).expect("hasher");
        let outcome = hasher
            .verify(&SecretString::new("shared passphrase"), Some(&theirs))
            .await;
        assert_eq!(
            outcome.expect("verify"),
            PasswordCheck::Match { needs_rehash: false }
        );

        let ours = hasher
            .hash(&SecretString::new("shared passphrase"))
            .await
            .expect("hash");
        use argon2::PasswordVerifier as _;
        let parsed = PasswordHash::new(&ours).expect("PHC string");
        assert!(
            Argon2::default()
                .verify_password(b"shared passphrase", &parsed)
                .is_ok()
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

//! Throttled attempts (passwords, MFA codes): begun before the slow check, settled after it, so
//! only failures count toward a lockout.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::{
    DomainError,
    identity::services::identity::IdentityService,
    identity::throttle::{AttemptOutcome, ThrottleLimit},
    ports::AttemptStart,
};

/// How long an attempt waits for others in flight on the same keys before it is told to retry.
const ATTEMPT_WAIT: Duration = Duration::from_secs(10);

/// What a client told to retry after a busy wait should wait.
const BUSY_RETRY_AFTER: Duration = Duration::from_secs(1);

impl IdentityService {
    /// Begins an attempt under `keys`: `TooManyRequests` while a key is locked out, or when
    /// attempts in flight kept its budget full for the whole wait.
    pub(crate) async fn begin_attempt(
        &self,
        keys: &[(String, ThrottleLimit)],
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        match self.ports.throttle.begin_attempt(keys, now, ATTEMPT_WAIT).await? {
            AttemptStart::Begun => Ok(()),
            AttemptStart::Locked(until) => Err(DomainError::TooManyRequests {
                retry_after: (until - now).to_std().unwrap_or_default(),
            }),
            AttemptStart::Busy => Err(DomainError::TooManyRequests {
                retry_after: BUSY_RETRY_AFTER,
            }),
        }
    }

    /// Settles an attempt begun under `keys` with what it came to: a refused credential counts as
    /// a failure everywhere; a success forgives the first key's (the account's) failures; any other
    /// error (the database, say) counts for nothing.
    pub(crate) async fn settle_attempt<T>(
        &self,
        keys: &[(String, ThrottleLimit)],
        result: &Result<T, DomainError>,
    ) -> Result<(), DomainError> {
        let settled: Vec<(&str, ThrottleLimit, AttemptOutcome)> = keys
            .iter()
            .enumerate()
            .map(|(index, (key, limit))| {
                let outcome = match result {
                    Ok(_) => AttemptOutcome::Succeeded {
                        forgive_failures: index == 0,
                    },
                    Err(DomainError::Unauthorized(_)) => AttemptOutcome::Failed,
                    Err(_) => AttemptOutcome::Succeeded {
                        forgive_failures: false,
                    },
                };
                (key.as_str(), *limit, outcome)
            })
            .collect();
        self.ports
            .throttle
            .settle_attempt(&settled, self.ports.clock.now())
            .await
    }
}

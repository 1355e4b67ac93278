//! Login attempt counters, in memory. The rules are the domain's ([`ThrottleLimit`]); this store
//! applies them to its rows in one atomic step.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::{
    DomainError,
    ports::{AttemptStart, LoginThrottleStore},
    throttle::{AttemptOutcome, AttemptRefusal, ThrottleLimit},
};

use crate::MemoryStore;

#[async_trait]
impl LoginThrottleStore for MemoryStore {
    async fn reserve(
        &self,
        keys: &[(String, ThrottleLimit)],
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, DomainError> {
        Ok(self
            .write(|tables| {
                let mut next = Vec::with_capacity(keys.len());
                let mut locked: Option<DateTime<Utc>> = None;
                for (key, limit) in keys {
                    match limit.reserve(tables.throttles.get(key).copied(), now) {
                        Ok(state) => next.push((key.clone(), state)),
                        Err(until) => locked = locked.max(Some(until)),
                    }
                }
                if locked.is_none() {
                    tables.throttles.extend(next);
                }
                locked
            })
            .await)
    }

    async fn begin_attempt(
        &self,
        keys: &[(String, ThrottleLimit)],
        now: DateTime<Utc>,
        wait: std::time::Duration,
    ) -> Result<AttemptStart, DomainError> {
        let started = std::time::Instant::now();
        loop {
            let at = now + chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
            let outcome = self
                .write(|tables| {
                    let mut next = Vec::with_capacity(keys.len());
                    let mut locked: Option<DateTime<Utc>> = None;
                    let mut busy = false;
                    for (key, limit) in keys {
                        match limit.begin(tables.throttles.get(key).copied(), at) {
                            Ok(state) => next.push((key.clone(), state)),
                            Err(AttemptRefusal::Locked(until)) => locked = locked.max(Some(until)),
                            Err(AttemptRefusal::Busy) => busy = true,
                        }
                    }
                    match (locked, busy) {
                        (Some(until), _) => AttemptStart::Locked(until),
                        (None, true) => AttemptStart::Busy,
                        (None, false) => {
                            tables.throttles.extend(next);
                            AttemptStart::Begun
                        }
                    }
                })
                .await;
            if outcome != AttemptStart::Busy || started.elapsed() >= wait {
                return Ok(outcome);
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    async fn settle_attempt(
        &self,
        settled: &[(&str, ThrottleLimit, AttemptOutcome)],
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        self.write(|tables| {
            for (key, limit, outcome) in settled {
                let state = tables.throttles.get(*key).copied();
                tables
                    .throttles
                    .insert((*key).to_owned(), limit.settle(state, *outcome, now));
            }
        })
        .await;
        Ok(())
    }

    async fn sweep(
        &self,
        stale_before: &[(&'static str, DateTime<Utc>)],
        now: DateTime<Utc>,
    ) -> Result<u64, DomainError> {
        Ok(self
            .write(|tables| {
                let before = tables.throttles.len();
                tables.throttles.retain(|key, state| {
                    let stale = stale_before.iter().any(|(prefix, before)| {
                        key.starts_with(prefix) && state.window_started_at <= *before
                    });
                    let unlocked = state.locked_until.is_none_or(|until| until <= now);
                    !(stale && unlocked)
                });
                u64::try_from(before - tables.throttles.len()).unwrap_or(u64::MAX)
            })
            .await)
    }
}

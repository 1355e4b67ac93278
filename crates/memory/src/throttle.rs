//! Login attempt counters, in memory. The rules are the domain's ([`ThrottleLimit`]); this store
//! applies them to its rows in one atomic step.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::{DomainError, ports::LoginThrottleStore, throttle::ThrottleLimit};

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

    async fn refund(&self, key: &str, limit: ThrottleLimit, _now: DateTime<Utc>) -> Result<(), DomainError> {
        self.write(|tables| {
            if let Some(state) = tables.throttles.get_mut(key) {
                *state = limit.refund(*state);
            }
        })
        .await;
        Ok(())
    }

    async fn clear(&self, key: &str) -> Result<(), DomainError> {
        self.write(|tables| tables.throttles.remove(key)).await;
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

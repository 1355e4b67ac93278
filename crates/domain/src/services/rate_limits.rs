//! Rate limits on authenticated requests: per API key, per user and per org.

use std::sync::Arc;

use crate::{
    Caller, DomainError, OrgId,
    clock::Clock,
    ports::RequestCounters,
    rate_limit::{LimitScope, LimitUse, RateLimitStatus, RateLimits, decide, window_of},
};

/// The rate limit use case.
#[derive(Clone)]
pub struct RateLimitService {
    counters: Arc<dyn RequestCounters>,
    limits: RateLimits,
    clock: Arc<dyn Clock>,
}

impl RateLimitService {
    /// Limits counted in `counters`, with `limits` unless an org has its own.
    pub fn new(counters: Arc<dyn RequestCounters>, limits: RateLimits, clock: Arc<dyn Clock>) -> Self {
        Self {
            counters,
            limits,
            clock,
        }
    }

    /// Counts a request of `caller` (in `org`, when the route names one) against every limit it falls
    /// under: its API key and that key's org, or the person, and the org. `None` when no limit
    /// applies; a status with `limited` when one is exceeded.
    pub fn admit(&self, caller: &Caller, org: Option<OrgId>) -> Option<RateLimitStatus> {
        let org = caller.api_key.as_ref().map(|grant| grant.org_id).or(org);
        let mut scopes = Vec::with_capacity(3);
        if let Some(grant) = &caller.api_key {
            scopes.push((LimitScope::Key(grant.key_id), self.limits.per_key));
        }
        scopes.push((LimitScope::User(caller.user.id), self.limits.per_user));
        if let Some(org) = org {
            let quota = self.counters.org_limit(org).unwrap_or(self.limits.per_org);
            scopes.push((LimitScope::Org(org), quota));
        }
        scopes.retain(|(_, quota)| *quota > 0);
        if scopes.is_empty() {
            return None;
        }
        let (window, reset_secs) = window_of(self.clock.now());
        let keys: Vec<String> = scopes.iter().map(|(scope, _)| scope.counter_key()).collect();
        let counts = self.counters.count(&keys, window);
        let uses: Vec<LimitUse> = scopes
            .iter()
            .zip(counts)
            .map(|((scope, quota), used)| LimitUse {
                name: scope.name(),
                quota: *quota,
                used,
            })
            .collect();
        decide(&uses, reset_secs)
    }

    /// `admit`, as a result: the refusal when limited.
    pub fn check(
        &self,
        caller: &Caller,
        org: Option<OrgId>,
    ) -> Result<Option<RateLimitStatus>, (RateLimitStatus, DomainError)> {
        match self.admit(caller, org) {
            Some(status) if status.limited => {
                let refusal = status.refusal();
                Err((status, refusal))
            }
            other => Ok(other),
        }
    }
}

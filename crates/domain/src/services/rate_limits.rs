//! Rate limits on authenticated requests: per API key, per user and per org.

use std::sync::Arc;

use crate::{
    ApiKeyGrant, Caller, DomainError, OrgId, UserId,
    clock::Clock,
    ports::RequestCounters,
    rate_limit::{LimitScope, LimitUse, RateLimitStatus, RateLimits, decide, window_of},
    session::AccessClaims,
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
        self.admit_for(caller.user.id, caller.api_key.as_ref(), org)
    }

    /// [`Self::admit`] for a person's request whose session the read confirms: it is counted for
    /// the user its token names, so a token whose session has ended still counts against its user
    /// until it expires.
    pub fn admit_session(&self, claims: &AccessClaims, org: Option<OrgId>) -> Option<RateLimitStatus> {
        self.admit_for(claims.user_id, None, org)
    }

    fn admit_for(
        &self,
        user: UserId,
        api_key: Option<&ApiKeyGrant>,
        org: Option<OrgId>,
    ) -> Option<RateLimitStatus> {
        let org = api_key.map(|grant| grant.org_id).or(org);
        let mut scopes = Vec::with_capacity(3);
        if let Some(grant) = api_key {
            scopes.push((LimitScope::Key(grant.key_id), self.limits.per_key));
        }
        scopes.push((LimitScope::User(user), self.limits.per_user));
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
        refused_when_limited(self.admit(caller, org))
    }

    /// `admit_session`, as a result: the refusal when limited.
    pub fn check_session(
        &self,
        claims: &AccessClaims,
        org: Option<OrgId>,
    ) -> Result<Option<RateLimitStatus>, (RateLimitStatus, DomainError)> {
        refused_when_limited(self.admit_session(claims, org))
    }
}

fn refused_when_limited(
    status: Option<RateLimitStatus>,
) -> Result<Option<RateLimitStatus>, (RateLimitStatus, DomainError)> {
    match status {
        Some(status) if status.limited => {
            let refusal = status.refusal();
            Err((status, refusal))
        }
        other => Ok(other),
    }
}

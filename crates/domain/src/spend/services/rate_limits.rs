//! Rate limits on authenticated requests: per API key, per user, per org and per sandbox.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::{
    ApiKeyGrant, Caller, DomainError, OrgId, UserId,
    clock::Clock,
    identity::session::AccessClaims,
    ports::{Orgs, RequestCounters},
    spend::rate_limit::{LimitScope, LimitUse, RateLimitStatus, RateLimits, decide, window_of},
};

/// How long a membership seen is believed without asking the store again. Counting a former
/// member's requests against the org for this long after they left costs the org little; asking
/// the store on every request would cost every request a round trip.
const MEMBERSHIP_TTL_SECS: i64 = 30;
/// Memberships remembered at most; beyond, the memory starts over.
const MEMBERSHIPS_REMEMBERED: usize = 10_000;

/// The rate limit use case.
#[derive(Clone)]
pub struct RateLimitService {
    counters: Arc<dyn RequestCounters>,
    orgs: Arc<dyn Orgs>,
    limits: RateLimits,
    clock: Arc<dyn Clock>,
    members: Arc<KnownMembers>,
}

/// Memberships seen lately, each with when it stops being believed.
#[derive(Default)]
struct KnownMembers(Mutex<HashMap<(UserId, OrgId), DateTime<Utc>>>);

impl KnownMembers {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(UserId, OrgId), DateTime<Utc>>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether `user` was seen a member of `org` lately.
    fn knows(&self, user: UserId, org: OrgId, now: DateTime<Utc>) -> bool {
        self.lock().get(&(user, org)).is_some_and(|until| *until > now)
    }

    /// Remembers that `user` is a member of `org`, as of `now`.
    fn remember(&self, user: UserId, org: OrgId, now: DateTime<Utc>) {
        let mut members = self.lock();
        if members.len() >= MEMBERSHIPS_REMEMBERED {
            members.retain(|_, until| *until > now);
            if members.len() >= MEMBERSHIPS_REMEMBERED {
                members.clear();
            }
        }
        members.insert((user, org), now + Duration::seconds(MEMBERSHIP_TTL_SECS));
    }
}

/// A rate-limit decision: what to tell the client, or the refusal with it.
pub type Decision = Result<Option<RateLimitStatus>, (RateLimitStatus, DomainError)>;

impl RateLimitService {
    /// Limits counted in `counters`, with `limits` unless an org has its own; `orgs` says who is
    /// a member where.
    pub fn new(
        counters: Arc<dyn RequestCounters>,
        orgs: Arc<dyn Orgs>,
        limits: RateLimits,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            counters,
            orgs,
            limits,
            clock,
            members: Arc::default(),
        }
    }

    /// Counts a request of `caller` (in `org`, when the route names one): against its API key and
    /// that key's org, or against the person and, once they are a member there, the org. `None`
    /// when no limit applies; a status with `limited` when one is exceeded.
    pub async fn admit(&self, caller: &Caller, org: Option<OrgId>) -> Option<RateLimitStatus> {
        self.admit_for(caller.user.id, caller.api_key.as_ref(), org).await
    }

    /// [`Self::admit`] for a person's request whose session the read confirms: it is counted for
    /// the user its token names, so a token whose session has ended still counts against its user
    /// until it expires.
    pub async fn admit_session(&self, claims: &AccessClaims, org: Option<OrgId>) -> Option<RateLimitStatus> {
        self.admit_for(claims.user_id, None, org).await
    }

    async fn admit_for(
        &self,
        user: UserId,
        api_key: Option<&ApiKeyGrant>,
        org: Option<OrgId>,
    ) -> Option<RateLimitStatus> {
        let mut own = Vec::with_capacity(2);
        if let Some(grant) = api_key {
            own.push((LimitScope::Key(grant.key_id), self.limits.per_key));
        }
        own.push((LimitScope::User(user), self.limits.per_user));
        let (window, reset_secs) = window_of(self.clock.now());
        let mut uses = self.count(&own, window);
        if decide(&uses, reset_secs).is_some_and(|status| status.limited) {
            // Refused by the caller's own limit: counted against nothing else.
            return decide(&uses, reset_secs);
        }
        let admitted_org = match (api_key, org) {
            (Some(grant), _) => Some(grant.org_id),
            (None, Some(org)) if self.is_member(user, org).await => Some(org),
            _ => None,
        };
        if let Some(org) = admitted_org {
            let quota = self.counters.org_limit(org).unwrap_or(self.limits.per_org);
            uses.extend(self.count(&[(LimitScope::Org(org), quota)], window));
        }
        decide(&uses, reset_secs)
    }

    /// Counts a request a sandbox makes with its session key against the sandbox's own limit.
    pub fn admit_sandbox(&self, sandbox: Uuid) -> Option<RateLimitStatus> {
        let (window, reset_secs) = window_of(self.clock.now());
        let uses = self.count(&[(LimitScope::Sandbox(sandbox), self.limits.per_sandbox)], window);
        decide(&uses, reset_secs)
    }

    /// Counts one request against each limited scope of `scopes`.
    fn count(&self, scopes: &[(LimitScope, u32)], window: i64) -> Vec<LimitUse> {
        let limited: Vec<&(LimitScope, u32)> = scopes.iter().filter(|(_, quota)| *quota > 0).collect();
        if limited.is_empty() {
            return Vec::new();
        }
        let keys: Vec<String> = limited.iter().map(|(scope, _)| scope.counter_key()).collect();
        let counts = self.counters.count(&keys, window);
        limited
            .iter()
            .zip(counts)
            .map(|((scope, quota), used)| LimitUse {
                name: scope.name(),
                quota: *quota,
                used,
            })
            .collect()
    }

    /// Whether `user` is a member of `org`: remembered for a short while once seen; a failed
    /// look-up counts as not (the request itself will fail on the same store).
    async fn is_member(&self, user: UserId, org: OrgId) -> bool {
        let now = self.clock.now();
        if self.members.knows(user, org, now) {
            return true;
        }
        let member = matches!(self.orgs.membership(org, user).await, Ok(Some(_)));
        if member {
            self.members.remember(user, org, now);
        }
        member
    }

    /// `admit`, as a result: the refusal when limited.
    pub async fn check(&self, caller: &Caller, org: Option<OrgId>) -> Decision {
        refused_when_limited(self.admit(caller, org).await)
    }

    /// `admit_session`, as a result: the refusal when limited.
    pub async fn check_session(&self, claims: &AccessClaims, org: Option<OrgId>) -> Decision {
        refused_when_limited(self.admit_session(claims, org).await)
    }

    /// `admit_sandbox`, as a result: the refusal when limited.
    pub fn check_sandbox(&self, sandbox: Uuid) -> Decision {
        refused_when_limited(self.admit_sandbox(sandbox))
    }
}

fn refused_when_limited(status: Option<RateLimitStatus>) -> Decision {
    match status {
        Some(status) if status.limited => {
            let refusal = status.refusal();
            Err((status, refusal))
        }
        other => Ok(other),
    }
}

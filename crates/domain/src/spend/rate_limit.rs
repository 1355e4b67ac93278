//! Rate limits: requests per minute per API key, per user, per org and per sandbox, in fixed
//! one-minute windows. A request counts against every limit it falls under; the tightest one
//! decides, and what is left of it is told to the client (`RateLimit-Policy` / `RateLimit` headers).
//!
//! A request is counted against its caller's own limits (its key, its user) first; one those refuse
//! is counted nowhere else. It is counted against an org only once the caller is admitted there (a
//! member, or a key of that org), so a stranger cannot spend an org's requests by naming it in paths.

use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{DomainError, OrgId, UserId};

/// The window limits are counted in.
pub const WINDOW_SECS: i64 = 60;

/// Requests per minute; 0 is unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Per API key.
    pub per_key: u32,
    /// Per user (all their sessions and keys).
    pub per_user: u32,
    /// Per org (everyone acting in it).
    pub per_org: u32,
    /// Per sandbox (its agent server posting with the sandbox's session key).
    pub per_sandbox: u32,
}

/// What a request is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitScope {
    /// An API key.
    Key(Uuid),
    /// A user.
    User(UserId),
    /// An org.
    Org(OrgId),
    /// A sandbox, acting with its session key.
    Sandbox(Uuid),
}

impl LimitScope {
    /// The policy's name in headers.
    pub fn name(self) -> &'static str {
        match self {
            LimitScope::Key(_) => "key",
            LimitScope::User(_) => "user",
            LimitScope::Org(_) => "org",
            LimitScope::Sandbox(_) => "sandbox",
        }
    }

    /// The counter's key, shared by every instance.
    pub fn counter_key(self) -> String {
        match self {
            LimitScope::Key(id) => format!("k:{id}"),
            LimitScope::User(id) => format!("u:{id}"),
            LimitScope::Org(id) => format!("o:{id}"),
            LimitScope::Sandbox(id) => format!("s:{id}"),
        }
    }
}

/// The window `at` falls in: its start (seconds since the epoch) and the seconds until it ends.
pub fn window_of(at: DateTime<Utc>) -> (i64, u64) {
    let now = at.timestamp();
    let start = now - now.rem_euclid(WINDOW_SECS);
    (start, (start + WINDOW_SECS - now) as u64)
}

/// One limit a request counts against, with what was used of it (this request included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitUse {
    /// The policy's name.
    pub name: &'static str,
    /// Requests allowed per window.
    pub quota: u32,
    /// Requests counted in this window, this one included.
    pub used: u64,
}

/// What a client is told about its limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitStatus {
    /// Every limit the request counted against: name and quota.
    pub policies: Vec<(&'static str, u32)>,
    /// The tightest: its name and the requests left in the window.
    pub tightest: (&'static str, u64),
    /// Seconds until the window ends.
    pub reset_secs: u64,
    /// Whether the request was refused.
    pub limited: bool,
}

/// Decides a request from the limits it counts against (unlimited ones are left out).
pub fn decide(uses: &[LimitUse], reset_secs: u64) -> Option<RateLimitStatus> {
    let tightest = uses
        .iter()
        .min_by_key(|limit| u64::from(limit.quota).saturating_sub(limit.used))?;
    Some(RateLimitStatus {
        policies: uses.iter().map(|limit| (limit.name, limit.quota)).collect(),
        tightest: (
            tightest.name,
            u64::from(tightest.quota).saturating_sub(tightest.used),
        ),
        reset_secs,
        limited: uses.iter().any(|limit| limit.used > u64::from(limit.quota)),
    })
}

impl RateLimitStatus {
    /// The refusal for a limited request: retry when the window ends.
    pub fn refusal(&self) -> DomainError {
        DomainError::TooManyRequests {
            retry_after: Duration::from_secs(self.reset_secs.max(1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn windows_are_whole_minutes() {
        let at = Utc.timestamp_opt(1_800_000_042, 0).single().expect("time");
        assert_eq!(window_of(at), (1_800_000_000, 18));
        let edge = Utc.timestamp_opt(1_800_000_060, 0).single().expect("time");
        assert_eq!(window_of(edge), (1_800_000_060, 60));
    }

    #[test]
    fn the_tightest_limit_decides_and_any_exceeded_one_refuses() {
        let uses = [
            LimitUse {
                name: "key",
                quota: 10,
                used: 4,
            },
            LimitUse {
                name: "user",
                quota: 100,
                used: 97,
            },
        ];
        let status = decide(&uses, 30).expect("limited");
        assert_eq!(status.tightest, ("user", 3));
        assert!(!status.limited);
        let over = [LimitUse {
            name: "org",
            quota: 5,
            used: 6,
        }];
        let status = decide(&over, 12).expect("limited");
        assert!(status.limited);
        assert_eq!(status.tightest, ("org", 0));
        assert!(
            matches!(status.refusal(), DomainError::TooManyRequests { retry_after } if retry_after.as_secs() == 12)
        );
        assert_eq!(decide(&[], 5), None);
    }
}

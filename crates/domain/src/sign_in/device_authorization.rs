//! The OAuth 2.0 device authorization grant (RFC 8628) as OpenHands clients use it to sign in: a
//! device asks for a code, a person signed in to Tenantry approves it for one of their orgs, and
//! the device's polls end in an API key of that person in that org — once.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::{OrgId, UserId};

/// How long a device code lives.
pub const DEVICE_CODE_TTL_SECS: i64 = 600;
/// The least time between two polls of one device code.
pub const POLL_INTERVAL_SECS: i64 = 5;
/// How long the API key a device gets is valid.
pub const DEVICE_KEY_TTL_DAYS: i64 = 30;

/// The letters of user codes: no vowels (no words), none that look alike (RFC 8628 §6.1).
const USER_CODE_LETTERS: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";

/// A new user code, `XXXX-XXXX` (20^8 ≈ 2.6e10 codes), from the operating system's randomness.
pub fn new_user_code() -> String {
    let mut letters = Vec::with_capacity(8);
    while letters.len() < 8 {
        for byte in Uuid::new_v4().into_bytes() {
            // Rejection sampling keeps every letter equally likely.
            if byte < 240 && letters.len() < 8 {
                letters.push(USER_CODE_LETTERS[usize::from(byte % 20)]);
            }
        }
    }
    let text = String::from_utf8(letters).unwrap_or_default();
    format!("{}-{}", &text[..4], &text[4..])
}

/// A user code as typed (any case, with or without the dash or spaces) in its stored form, or
/// `None` when it cannot be one.
pub fn normalize_user_code(typed: &str) -> Option<String> {
    let letters: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (letters.len() == 8 && letters.bytes().all(|b| USER_CODE_LETTERS.contains(&b)))
        .then(|| format!("{}-{}", &letters[..4], &letters[4..]))
}

/// What the person who approved (or denied) a device decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceDecision {
    /// Who decided.
    pub user: UserId,
    /// The org the device acts in.
    pub org: OrgId,
    /// Approved, or denied.
    pub approved: bool,
    /// When.
    pub at: DateTime<Utc>,
}

/// One device's request to sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuthorization {
    /// Identifier.
    pub id: Uuid,
    /// Digest of the device code (the code itself only the device knows).
    pub device_code_digest: String,
    /// The code the person types (`XXXX-XXXX`).
    pub user_code: String,
    /// When asked.
    pub created_at: DateTime<Utc>,
    /// When the codes stop working.
    pub expires_at: DateTime<Utc>,
    /// The person's decision, once made.
    pub decision: Option<DeviceDecision>,
    /// When the device got its key (the grant is spent).
    pub issued_at: Option<DateTime<Utc>>,
}

/// What a device's poll gets (RFC 8628 §3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollOutcome {
    /// Not decided yet: `authorization_pending`.
    Pending,
    /// Polled sooner than the interval: `slow_down`.
    SlowDown,
    /// The code expired: `expired_token`.
    Expired,
    /// The person denied it: `access_denied`.
    Denied,
    /// Approved: issue a key of `user` in `org`.
    Approved {
        /// The approving person.
        user: UserId,
        /// Their org.
        org: OrgId,
    },
    /// Already answered with a key: `invalid_grant`.
    Spent,
}

/// The answer to a poll at `now`, the previous poll of this code having been at `previous`.
pub fn decide_poll(
    authorization: &DeviceAuthorization,
    previous: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> PollOutcome {
    if authorization.issued_at.is_some() {
        return PollOutcome::Spent;
    }
    if now >= authorization.expires_at {
        return PollOutcome::Expired;
    }
    match authorization.decision {
        Some(decision) if decision.approved => PollOutcome::Approved {
            user: decision.user,
            org: decision.org,
        },
        Some(_) => PollOutcome::Denied,
        None if previous.is_some_and(|previous| now - previous < Duration::seconds(POLL_INTERVAL_SECS)) => {
            PollOutcome::SlowDown
        }
        None => PollOutcome::Pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).expect("time")
    }

    fn authorization() -> DeviceAuthorization {
        DeviceAuthorization {
            id: Uuid::new_v4(),
            device_code_digest: "digest".into(),
            user_code: "BCDF-GHJK".into(),
            created_at: at(0),
            expires_at: at(DEVICE_CODE_TTL_SECS),
            decision: None,
            issued_at: None,
        }
    }

    fn decided(approved: bool) -> DeviceAuthorization {
        DeviceAuthorization {
            decision: Some(DeviceDecision {
                user: Uuid::new_v4(),
                org: Uuid::new_v4(),
                approved,
                at: at(10),
            }),
            ..authorization()
        }
    }

    #[test]
    fn user_codes_are_eight_unambiguous_letters() {
        let code = new_user_code();
        assert_eq!(code.len(), 9);
        assert_eq!(normalize_user_code(&code).as_deref(), Some(code.as_str()));
        assert_eq!(normalize_user_code("bcdf ghjk").as_deref(), Some("BCDF-GHJK"));
        assert_eq!(normalize_user_code("BCDF-GHJA"), None, "no vowels");
        assert_eq!(normalize_user_code("BCD"), None);
    }

    #[test]
    fn an_undecided_code_is_pending() {
        assert_eq!(decide_poll(&authorization(), None, at(1)), PollOutcome::Pending);
        assert_eq!(
            decide_poll(&authorization(), Some(at(1)), at(6)),
            PollOutcome::Pending
        );
    }

    #[test]
    fn polling_too_fast_is_told_to_slow_down() {
        assert_eq!(
            decide_poll(&authorization(), Some(at(1)), at(3)),
            PollOutcome::SlowDown
        );
    }

    #[test]
    fn an_expired_code_says_so() {
        assert_eq!(
            decide_poll(&decided(true), None, at(DEVICE_CODE_TTL_SECS)),
            PollOutcome::Expired
        );
    }

    #[test]
    fn a_decision_ends_the_wait() {
        assert!(matches!(
            decide_poll(&decided(true), None, at(20)),
            PollOutcome::Approved { .. }
        ));
        assert_eq!(decide_poll(&decided(false), None, at(20)), PollOutcome::Denied);
    }

    #[test]
    fn a_spent_grant_gives_nothing_more() {
        let spent = DeviceAuthorization {
            issued_at: Some(at(21)),
            ..decided(true)
        };
        assert_eq!(decide_poll(&spent, None, at(22)), PollOutcome::Spent);
    }
}

//! Login throttling: how many failures are tolerated before a key is locked out, and for how long.

use std::time::Duration;

/// Limits for one kind of key (an account, a client address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleLimit {
    /// Failures tolerated within `window`; the next one locks the key.
    pub max_failures: u32,
    /// The window failures are counted in.
    pub window: Duration,
    /// How long a locked key stays locked.
    pub lockout: Duration,
}

/// The login throttling policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Per account (email).
    pub per_account: ThrottleLimit,
    /// Per client address.
    pub per_address: ThrottleLimit,
}

/// The keys a login attempt is counted under.
pub fn throttle_keys(email: &str, address: Option<&str>) -> Vec<(String, ThrottleKind)> {
    let mut keys = vec![(format!("account:{email}"), ThrottleKind::Account)];
    if let Some(address) = address {
        keys.push((format!("address:{address}"), ThrottleKind::Address));
    }
    keys
}

/// Which limit a key falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleKind {
    /// An account key.
    Account,
    /// A client-address key.
    Address,
}

impl ThrottlePolicy {
    /// The limit for a kind of key.
    pub fn limit(&self, kind: ThrottleKind) -> ThrottleLimit {
        match kind {
            ThrottleKind::Account => self.per_account,
            ThrottleKind::Address => self.per_address,
        }
    }
}

/// A key's failure count, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    /// Failures in the current window.
    pub failures: u32,
    /// When the current window began.
    pub window_started_at: chrono::DateTime<chrono::Utc>,
    /// End of the current lockout, if any.
    pub locked_until: Option<chrono::DateTime<chrono::Utc>>,
}

impl ThrottleLimit {
    /// The state after one more failure at `now`: a new window once the old one has passed, and a
    /// lockout (with the count starting over) once `max_failures` is reached.
    pub fn after_failure(
        &self,
        state: Option<ThrottleState>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> ThrottleState {
        let window = chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::MAX);
        let mut next = match state {
            Some(state) if now - state.window_started_at < window => ThrottleState {
                failures: state.failures + 1,
                ..state
            },
            Some(state) => ThrottleState {
                failures: 1,
                window_started_at: now,
                ..state
            },
            None => ThrottleState {
                failures: 1,
                window_started_at: now,
                locked_until: None,
            },
        };
        if next.failures >= self.max_failures {
            let lockout = chrono::Duration::from_std(self.lockout).unwrap_or(chrono::Duration::MAX);
            next = ThrottleState {
                failures: 0,
                window_started_at: now,
                locked_until: Some(now + lockout),
            };
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    const LIMIT: ThrottleLimit = ThrottleLimit {
        max_failures: 3,
        window: Duration::from_secs(60),
        lockout: Duration::from_secs(300),
    };

    #[test]
    fn locks_on_the_last_tolerated_failure() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("valid");
        let one = LIMIT.after_failure(None, t0);
        let two = LIMIT.after_failure(Some(one), t0);
        assert_eq!(two.failures, 2);
        assert_eq!(two.locked_until, None);
        let three = LIMIT.after_failure(Some(two), t0);
        assert_eq!(three.locked_until, Some(t0 + chrono::Duration::seconds(300)));
        assert_eq!(three.failures, 0, "the count starts over after a lockout");
    }

    #[test]
    fn failures_outside_the_window_start_a_new_count() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("valid");
        let two = LIMIT.after_failure(Some(LIMIT.after_failure(None, t0)), t0);
        let later = LIMIT.after_failure(Some(two), t0 + chrono::Duration::seconds(61));
        assert_eq!(later.failures, 1);
        assert_eq!(later.locked_until, None);
    }

    #[test]
    fn keys_cover_account_and_address() {
        let keys = throttle_keys("a@b.co", Some("10.0.0.1"));
        assert_eq!(keys[0], ("account:a@b.co".to_owned(), ThrottleKind::Account));
        assert_eq!(keys[1], ("address:10.0.0.1".to_owned(), ThrottleKind::Address));
    }
}

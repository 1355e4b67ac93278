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

/// Prefix of the login attempts counted per account.
pub const ACCOUNT_KEYS: &str = "account:";
/// Prefix of the login attempts counted per client address.
pub const ADDRESS_KEYS: &str = "address:";
/// Prefix of the reset mails counted per account.
pub const RESET_MAIL_KEYS: &str = "reset-mail:";
/// Prefix of the anonymous mail requests counted per client address.
pub const MAIL_REQUEST_KEYS: &str = "mail-request:";
/// Prefix of the second-step (MFA code) attempts counted per account.
pub const MFA_KEYS: &str = "mfa:";

/// The keys a login attempt is counted under.
pub fn throttle_keys(email: &str, address: Option<&str>) -> Vec<(String, ThrottleKind)> {
    let mut keys = vec![(format!("{ACCOUNT_KEYS}{email}"), ThrottleKind::Account)];
    if let Some(address) = address {
        keys.push((format!("{ADDRESS_KEYS}{address}"), ThrottleKind::Address));
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
    /// Reserves one attempt at `now`, before the attempt is evaluated: the attempt counts as a
    /// failure until [`ThrottleLimit::refund`] takes it back. The attempt that reaches
    /// `max_failures` is still allowed but locks the key, so a burst of concurrent attempts gets at
    /// most `max_failures` evaluations. A key still locked answers `Err(until)` and reserves nothing.
    pub fn reserve(
        &self,
        state: Option<ThrottleState>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<ThrottleState, chrono::DateTime<chrono::Utc>> {
        if let Some(until) = state
            .and_then(|state| state.locked_until)
            .filter(|until| *until > now)
        {
            return Err(until);
        }
        let window = chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::MAX);
        let mut next = match state {
            // A window that is over, or a lockout that has ended, starts a new count.
            Some(state) if state.locked_until.is_none() && now - state.window_started_at < window => {
                ThrottleState {
                    failures: state.failures + 1,
                    ..state
                }
            }
            _ => ThrottleState {
                failures: 1,
                window_started_at: now,
                locked_until: None,
            },
        };
        if next.failures >= self.max_failures {
            let lockout = chrono::Duration::from_std(self.lockout).unwrap_or(chrono::Duration::MAX);
            next.locked_until = Some(now + lockout);
        }
        Ok(next)
    }

    /// Takes back one reserved attempt that turned out well; a lock that only that attempt caused
    /// is lifted with it.
    pub fn refund(&self, state: ThrottleState) -> ThrottleState {
        let failures = state.failures.saturating_sub(1);
        ThrottleState {
            failures,
            locked_until: state.locked_until.filter(|_| failures >= self.max_failures),
            ..state
        }
    }

    /// Whether a stored state no longer matters at `now`: its window is over and no lock holds.
    pub fn is_stale(&self, state: ThrottleState, now: chrono::DateTime<chrono::Utc>) -> bool {
        let window = chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::MAX);
        state.locked_until.is_none_or(|until| until <= now) && now - state.window_started_at >= window
    }
}

/// Counters under `prefix` whose window began before the returned instant (and that hold no lock at
/// `now`) no longer matter.
pub fn stale_before(
    prefix: &'static str,
    limit: ThrottleLimit,
    now: chrono::DateTime<chrono::Utc>,
) -> (&'static str, chrono::DateTime<chrono::Utc>) {
    let window = chrono::Duration::from_std(limit.window).unwrap_or(chrono::Duration::MAX);
    (
        prefix,
        now.checked_sub_signed(window)
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC),
    )
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

    fn t0() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("valid")
    }

    #[test]
    fn the_last_tolerated_attempt_locks_and_the_next_is_refused() {
        let now = t0();
        let one = LIMIT.reserve(None, now).expect("first");
        let two = LIMIT.reserve(Some(one), now).expect("second");
        assert_eq!((two.failures, two.locked_until), (2, None));
        let three = LIMIT.reserve(Some(two), now).expect("third is still evaluated");
        assert_eq!(three.locked_until, Some(now + chrono::Duration::seconds(300)));
        assert_eq!(
            LIMIT.reserve(Some(three), now),
            Err(now + chrono::Duration::seconds(300))
        );
    }

    #[test]
    fn a_burst_gets_at_most_max_failures_evaluations() {
        let mut state = None;
        let mut evaluated = 0;
        for _ in 0..40 {
            if let Ok(next) = LIMIT.reserve(state, t0()) {
                evaluated += 1;
                state = Some(next);
            }
        }
        assert_eq!(evaluated, LIMIT.max_failures);
    }

    #[test]
    fn a_refund_gives_the_attempt_back_and_lifts_the_lock_it_caused() {
        let now = t0();
        let two = LIMIT
            .reserve(Some(LIMIT.reserve(None, now).expect("1")), now)
            .expect("2");
        let three = LIMIT.reserve(Some(two), now).expect("3");
        let refunded = LIMIT.refund(three);
        assert_eq!((refunded.failures, refunded.locked_until), (2, None));
        assert!(LIMIT.reserve(Some(refunded), now).is_ok());
    }

    #[test]
    fn failures_outside_the_window_start_a_new_count() {
        let two = LIMIT
            .reserve(Some(LIMIT.reserve(None, t0()).expect("1")), t0())
            .expect("2");
        let later = LIMIT
            .reserve(Some(two), t0() + chrono::Duration::seconds(61))
            .expect("new window");
        assert_eq!((later.failures, later.locked_until), (1, None));
    }

    #[test]
    fn an_ended_lockout_starts_a_new_count() {
        let mut state = None;
        for _ in 0..3 {
            state = Some(LIMIT.reserve(state, t0()).expect("allowed"));
        }
        let after = LIMIT
            .reserve(state, t0() + chrono::Duration::seconds(301))
            .expect("lockout over");
        assert_eq!((after.failures, after.locked_until), (1, None));
    }

    #[test]
    fn stale_rows_have_no_lock_and_an_ended_window() {
        let state = LIMIT.reserve(None, t0()).expect("1");
        assert!(!LIMIT.is_stale(state, t0() + chrono::Duration::seconds(59)));
        assert!(LIMIT.is_stale(state, t0() + chrono::Duration::seconds(60)));
        let mut locked = Some(state);
        for _ in 0..2 {
            locked = Some(LIMIT.reserve(locked, t0()).expect("allowed"));
        }
        let locked = locked.expect("state");
        assert!(!LIMIT.is_stale(locked, t0() + chrono::Duration::seconds(120)));
        assert!(LIMIT.is_stale(locked, t0() + chrono::Duration::seconds(301)));
    }

    #[test]
    fn keys_cover_account_and_address() {
        let keys = throttle_keys("a@b.co", Some("10.0.0.1"));
        assert_eq!(keys[0], ("account:a@b.co".to_owned(), ThrottleKind::Account));
        assert_eq!(keys[1], ("address:10.0.0.1".to_owned(), ThrottleKind::Address));
    }
}

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
    /// Attempts begun and not yet settled (their hash is being checked).
    pub pending: u32,
    /// When the latest pending attempt began.
    pub pending_since: Option<chrono::DateTime<chrono::Utc>>,
}

/// How long an attempt may stay pending before it counts as abandoned (its server went away
/// mid-check); far beyond any password hash.
pub const PENDING_TIMEOUT: Duration = Duration::from_secs(60);

/// Why an attempt may not begin now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptRefusal {
    /// The key is locked out until then (failures did it).
    Locked(chrono::DateTime<chrono::Utc>),
    /// Attempts in flight already fill what the key may still fail: this one waits for them to
    /// settle. Never a lockout, and never a failure.
    Busy,
}

/// How a begun attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// It failed: it counts toward a lockout.
    Failed,
    /// It succeeded; `forgive_failures` wipes the key's earlier failures (an account's, after its
    /// right password).
    Succeeded {
        /// Forget the failures counted so far.
        forgive_failures: bool,
    },
}

impl ThrottleLimit {
    /// Begins one attempt at `now`, before it is evaluated. Only failures count toward a lockout:
    /// a right password is never refused because others were being checked at the same time.
    /// What may begin is bounded by what the key may still fail — `max_failures` minus failures
    /// so far minus attempts in flight — so a burst of wrong passwords still gets at most
    /// `max_failures` evaluations; the rest wait ([`AttemptRefusal::Busy`]) until those settle.
    pub fn begin(
        &self,
        state: Option<ThrottleState>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<ThrottleState, AttemptRefusal> {
        let mut state = self.current(state, now).map_err(AttemptRefusal::Locked)?;
        if state.failures + state.pending >= self.max_failures {
            return Err(AttemptRefusal::Busy);
        }
        state.pending += 1;
        state.pending_since = Some(now);
        Ok(state)
    }

    /// Settles one attempt [`Self::begin`] began: a failure counts (and the one that reaches
    /// `max_failures` locks the key); a success counts nothing.
    pub fn settle(
        &self,
        state: Option<ThrottleState>,
        outcome: AttemptOutcome,
        now: chrono::DateTime<chrono::Utc>,
    ) -> ThrottleState {
        if let Some(mut locked) = state.filter(|state| state.locked_until.is_some_and(|until| until > now)) {
            // Locked meanwhile by other failures: this attempt leaves the lock as it is.
            locked.pending = locked.pending.saturating_sub(1);
            return locked;
        }
        let mut state = self.current(state, now).unwrap_or(ThrottleState {
            failures: 0,
            window_started_at: now,
            locked_until: None,
            pending: 0,
            pending_since: None,
        });
        state.pending = state.pending.saturating_sub(1);
        match outcome {
            AttemptOutcome::Failed => {
                state.failures += 1;
                if state.failures >= self.max_failures {
                    let lockout = chrono::Duration::from_std(self.lockout).unwrap_or(chrono::Duration::MAX);
                    state.locked_until = Some(now + lockout);
                }
            }
            AttemptOutcome::Succeeded { forgive_failures } => {
                if forgive_failures {
                    state.failures = 0;
                }
            }
        }
        state
    }

    /// The state as it stands at `now`: a window that is over or a lockout that ended starts a new
    /// count, and attempts pending past [`PENDING_TIMEOUT`] are forgotten; `Err` while locked.
    fn current(
        &self,
        state: Option<ThrottleState>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<ThrottleState, chrono::DateTime<chrono::Utc>> {
        let fresh = ThrottleState {
            failures: 0,
            window_started_at: now,
            locked_until: None,
            pending: 0,
            pending_since: None,
        };
        let Some(mut state) = state else {
            return Ok(fresh);
        };
        if let Some(until) = state.locked_until.filter(|until| *until > now) {
            return Err(until);
        }
        let abandoned = chrono::Duration::from_std(PENDING_TIMEOUT).unwrap_or(chrono::Duration::MAX);
        if state.pending_since.is_none_or(|since| now - since >= abandoned) {
            state.pending = 0;
            state.pending_since = None;
        }
        let window = chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::MAX);
        if state.locked_until.is_some() || now - state.window_started_at >= window {
            state = ThrottleState {
                pending: state.pending,
                pending_since: state.pending_since,
                ..fresh
            };
        }
        Ok(state)
    }

    /// Counts one use at `now` that is never taken back (mail requests). The use that reaches
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
                pending: 0,
                pending_since: None,
            },
        };
        if next.failures >= self.max_failures {
            let lockout = chrono::Duration::from_std(self.lockout).unwrap_or(chrono::Duration::MAX);
            next.locked_until = Some(now + lockout);
        }
        Ok(next)
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
    fn right_attempts_in_flight_never_lock_and_a_wrong_burst_gets_max_failures_evaluations() {
        let now = t0();
        // Eight right passwords at once: those beyond the budget wait, none is locked out.
        let mut state = None;
        let mut begun = 0;
        for _ in 0..8 {
            match LIMIT.begin(state, now) {
                Ok(next) => {
                    begun += 1;
                    state = Some(next);
                }
                Err(refusal) => assert_eq!(refusal, AttemptRefusal::Busy),
            }
        }
        assert_eq!(begun, LIMIT.max_failures);
        for _ in 0..begun {
            state = Some(LIMIT.settle(
                state,
                AttemptOutcome::Succeeded {
                    forgive_failures: true,
                },
                now,
            ));
        }
        let settled = state.expect("state");
        assert_eq!(
            (settled.failures, settled.pending, settled.locked_until),
            (0, 0, None)
        );
        assert!(LIMIT.begin(state, now).is_ok(), "the waiting ones go on");

        // Wrong passwords: max_failures evaluations, then the lock.
        let mut state = None;
        let mut evaluated = 0;
        for _ in 0..40 {
            if let Ok(next) = LIMIT.begin(state, now) {
                evaluated += 1;
                state = Some(next);
            }
        }
        assert_eq!(evaluated, LIMIT.max_failures);
        for _ in 0..evaluated {
            state = Some(LIMIT.settle(state, AttemptOutcome::Failed, now));
        }
        assert_eq!(
            LIMIT.begin(state, now),
            Err(AttemptRefusal::Locked(now + chrono::Duration::seconds(300)))
        );
    }

    #[test]
    fn an_abandoned_attempt_stops_holding_the_budget() {
        let now = t0();
        let mut state = None;
        for _ in 0..LIMIT.max_failures {
            state = Some(LIMIT.begin(state, now).expect("begins"));
        }
        assert_eq!(LIMIT.begin(state, now), Err(AttemptRefusal::Busy));
        let later = now + chrono::Duration::from_std(PENDING_TIMEOUT).expect("duration");
        assert!(LIMIT.begin(state, later).is_ok());
    }

    #[test]
    fn keys_cover_account_and_address() {
        let keys = throttle_keys("a@b.co", Some("10.0.0.1"));
        assert_eq!(keys[0], ("account:a@b.co".to_owned(), ThrottleKind::Account));
        assert_eq!(keys[1], ("address:10.0.0.1".to_owned(), ThrottleKind::Address));
    }
}

//! When single-use rows are deleted: one-time tokens (email verification, password reset, the
//! second step of an MFA sign-in, single sign-on codes) and stream tickets are kept while they work
//! and for a short grace after they were spent or expired, so a late click still hears "already
//! used" or "expired" rather than "unknown"; after that nothing needs them.

use chrono::{DateTime, Duration, Utc};

/// How long a spent or expired single-use row is kept.
pub const SWEEP_GRACE_SECS: i64 = 15 * 60;

/// Rows spent or expired before this instant may be deleted at `now`.
pub fn sweep_cutoff(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::seconds(SWEEP_GRACE_SECS)
}

/// Whether a row that expires at `expires_at` and was spent at `spent_at` (if it was) may be
/// deleted by a sweep with `cutoff` (from [`sweep_cutoff`]).
pub fn sweepable(expires_at: DateTime<Utc>, spent_at: Option<DateTime<Utc>>, cutoff: DateTime<Utc>) -> bool {
    expires_at < cutoff || spent_at.is_some_and(|spent| spent < cutoff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_go_a_grace_after_they_were_spent_or_expired() {
        let now = Utc::now();
        let sweepable = |expires_at, spent_at, now| sweepable(expires_at, spent_at, sweep_cutoff(now));
        let grace = Duration::seconds(SWEEP_GRACE_SECS);
        let later = now + Duration::hours(1);
        assert!(!sweepable(later, None, now), "still working");
        assert!(!sweepable(now - Duration::seconds(1), None, now), "just expired");
        assert!(
            sweepable(now - grace - Duration::seconds(1), None, now),
            "expired long ago"
        );
        assert!(!sweepable(later, Some(now), now), "just spent");
        assert!(
            sweepable(later, Some(now - grace - Duration::seconds(1)), now),
            "spent long ago"
        );
    }
}

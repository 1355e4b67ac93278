//! Batches nobody will ever read: an append writes its batch before it records the segment, so a
//! process killed in between, a store that failed to delete, or a commit whose outcome stayed
//! unknown leaves an object no segment points to. Once no transaction can still record it, it goes.

use chrono::{DateTime, Duration, Utc};

/// How long after its write a batch may still be recorded: far beyond any append's transaction,
/// whose statements, locks and request are all bounded by seconds.
pub const DEFAULT_GRACE: Duration = Duration::hours(1);

/// Batches written before this instant that no segment points to are orphans.
pub fn written_before(now: DateTime<Utc>, grace: Duration) -> DateTime<Utc> {
    now - grace.max(Duration::zero())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_batches_older_than_the_grace_are_candidates() {
        let now = Utc::now();
        assert_eq!(written_before(now, DEFAULT_GRACE), now - Duration::hours(1));
        assert_eq!(
            written_before(now, Duration::seconds(-5)),
            now,
            "a negative grace is none"
        );
    }
}

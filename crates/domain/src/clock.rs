//! The clock port: time is an input, so tests can move it.

use chrono::{DateTime, SubsecRound, Utc};

/// Tells the current time.
pub trait Clock: Send + Sync {
    /// The current instant, truncated to microseconds (what both databases store).
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }
}

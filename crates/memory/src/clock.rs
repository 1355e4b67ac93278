use std::sync::Mutex;

use chrono::{DateTime, Duration, DurationRound, TimeDelta, Utc};
use tenantry_domain::clock::Clock;

/// A clock that stands still until moved: tests decide what time it is.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    /// A clock showing the current time (to the microsecond, as stored).
    pub fn new() -> Self {
        Self::at(Utc::now())
    }

    /// A clock showing `now`.
    pub fn at(now: DateTime<Utc>) -> Self {
        let now = now.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(now);
        Self { now: Mutex::new(now) }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        *self.now.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) += by;
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

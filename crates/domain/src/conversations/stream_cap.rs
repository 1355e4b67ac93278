//! The bound on open streams is one bound across every instance. Each open stream holds a lease in
//! the database per holder it counts against (its reader, or a shared conversation and the member
//! who shared it); a holder at its bound gets no more. An instance renews its leases while it runs,
//! so when it dies without ending its streams they lapse within one lease period, and its readers,
//! reconnecting to the instances left, find their slots free again instead of being refused by a
//! per-instance count (or let through twice over by one).

use std::time::Duration;

/// How long a lease outlives its instance's last renewal, unless configured otherwise.
pub const DEFAULT_LEASE_SECS: u64 = 30;

/// Whether a holder with `open` live leases may open one more stream under `max`.
pub fn admits(open: u64, max: usize) -> bool {
    open < max as u64
}

/// How often an instance renews its leases: three times per period, so one missed renewal (a slow
/// database) does not let a live stream's lease lapse.
pub fn renew_every(lease: Duration) -> Duration {
    (lease / 3).max(Duration::from_millis(100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holder_at_its_bound_gets_no_more() {
        assert!(admits(0, 1));
        assert!(admits(15, 16));
        assert!(!admits(16, 16));
        assert!(!admits(17, 16));
        assert!(!admits(0, 0));
    }

    #[test]
    fn leases_are_renewed_well_within_their_period() {
        assert_eq!(renew_every(Duration::from_secs(30)), Duration::from_secs(10));
        assert!(renew_every(Duration::from_millis(1)) >= Duration::from_millis(100));
    }
}

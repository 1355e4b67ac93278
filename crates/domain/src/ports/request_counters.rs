use crate::OrgId;

/// Request counters shared by every instance. Counting is on every request's path: it answers from
/// memory and shares its counts in the background, so another instance's requests show up within a
/// short interval.
pub trait RequestCounters: Send + Sync {
    /// Counts one request against each of `keys` in the window starting at `window` (seconds since
    /// the epoch); returns each counter's value with it.
    fn count(&self, keys: &[String], window: i64) -> Vec<u64>;

    /// The org's own requests-per-minute limit, when an operator set one.
    fn org_limit(&self, org: OrgId) -> Option<u32>;
}

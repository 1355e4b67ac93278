//! Events whose stored object is gone (deleted outside Tenantry, a bucket's lifecycle rule): a read
//! says which ids it cannot serve and serves the rest, instead of failing every page that touches
//! them.

use crate::ports::EventSegment;

/// The code an event store answers with (`Gone`) when a recorded segment's object is missing.
pub const EVENTS_MISSING: &str = "events_missing";

/// A run of event ids a read could not serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingEvents {
    /// The first id.
    pub first_id: i64,
    /// The last id.
    pub last_id: i64,
}

/// The ids of `segment` within `start..end` (a window it overlaps), as a missing run.
pub fn missing_in_window(segment: &EventSegment, start: i64, end: i64) -> MissingEvents {
    MissingEvents {
        first_id: segment.first_id.max(start),
        last_id: segment.last_id.min(end - 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::new_id;

    #[test]
    fn a_missing_segment_counts_only_within_the_window() {
        let segment = EventSegment {
            org_id: new_id(),
            conversation_id: new_id(),
            first_id: 10,
            last_id: 19,
            object: None,
        };
        assert_eq!(
            missing_in_window(&segment, 15, 100),
            MissingEvents {
                first_id: 15,
                last_id: 19
            }
        );
        assert_eq!(
            missing_in_window(&segment, 0, 12),
            MissingEvents {
                first_id: 10,
                last_id: 11
            }
        );
    }
}

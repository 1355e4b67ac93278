//! Which stored events an event search matches (OpenHands' `kind__eq`, `timestamp__gte`,
//! `timestamp__lt`): the event's own `kind`, and its own `timestamp` (the agent's clock), or when
//! it has none the time Tenantry stored it.

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::{StoredEvent, ports::TimeRange};

/// What an event search asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventCriteria {
    /// The event's `kind` (`MessageEvent`, …).
    pub kind: Option<String>,
    /// When it happened.
    pub during: TimeRange,
}

/// When the event happened: its own `timestamp` (RFC 3339, or naive ISO 8601 read as UTC, as
/// OpenHands writes it), else when it was stored.
pub fn happened_at(event: &StoredEvent) -> DateTime<Utc> {
    event
        .event
        .get("timestamp")
        .and_then(|value| value.as_str())
        .and_then(|text| {
            DateTime::parse_from_rfc3339(text)
                .map(|at| at.with_timezone(&Utc))
                .ok()
                .or_else(|| {
                    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                        .ok()
                        .map(|at| at.and_utc())
                })
        })
        .unwrap_or(event.timestamp)
}

impl EventCriteria {
    /// Whether `event` matches.
    pub fn matches(&self, event: &StoredEvent) -> bool {
        self.kind
            .as_deref()
            .is_none_or(|kind| event.event.get("kind").and_then(|value| value.as_str()) == Some(kind))
            && self.during.contains(happened_at(event))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn stored(event: serde_json::Value) -> StoredEvent {
        StoredEvent {
            id: 0,
            timestamp: DateTime::from_timestamp(1_000, 0).expect("time"),
            event,
        }
    }

    #[test]
    fn kind_is_matched_exactly() {
        let criteria = EventCriteria {
            kind: Some("MessageEvent".into()),
            ..EventCriteria::default()
        };
        assert!(criteria.matches(&stored(json!({ "kind": "MessageEvent" }))));
        assert!(!criteria.matches(&stored(json!({ "kind": "ActionEvent" }))));
    }

    #[test]
    fn the_events_own_timestamp_is_used_naive_or_not() {
        let event = stored(json!({ "timestamp": "2026-12-06T01:02:03.456789" }));
        assert_eq!(
            happened_at(&event).to_rfc3339(),
            "2026-12-06T01:02:03.456789+00:00"
        );
        let zoned = stored(json!({ "timestamp": "2026-12-06T01:02:03+01:00" }));
        assert_eq!(happened_at(&zoned).to_rfc3339(), "2026-12-06T00:02:03+00:00");
        assert_eq!(happened_at(&stored(json!({}))).timestamp(), 1_000);
    }

    #[test]
    fn a_range_includes_its_start_and_excludes_its_end() {
        let at = |secs| DateTime::from_timestamp(secs, 0);
        let criteria = EventCriteria {
            kind: None,
            during: TimeRange {
                from: at(1_000),
                before: at(1_001),
            },
        };
        assert!(criteria.matches(&stored(json!({}))));
        let later = EventCriteria {
            during: TimeRange {
                from: at(1_001),
                before: None,
            },
            ..criteria
        };
        assert!(!later.matches(&stored(json!({}))));
    }
}

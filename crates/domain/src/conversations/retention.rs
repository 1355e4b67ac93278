//! Conversation retention: an org may set `conversation_expiration` (days); a conversation idle
//! (no change, no new event) for longer is deleted with its events.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};

/// The org setting that holds the retention period, in days.
pub const SETTING: &str = "conversation_expiration";

/// Conversations last updated before the returned instant are expired under `settings` at `now`;
/// `None` when the org keeps conversations forever (no setting, or not a positive day count).
pub fn idle_before(settings: &Map<String, Value>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let days = settings.get(SETTING)?.as_i64().filter(|days| *days > 0)?;
    now.checked_sub_signed(Duration::try_days(days)?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn settings(value: Value) -> Map<String, Value> {
        json!({ SETTING: value }).as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_positive_day_count_sets_the_horizon() {
        let now = Utc::now();
        assert_eq!(
            idle_before(&settings(json!(30)), now),
            Some(now - Duration::days(30))
        );
    }

    #[test]
    fn no_setting_zero_or_nonsense_keeps_everything() {
        let now = Utc::now();
        for value in [json!(null), json!(0), json!(-3), json!("30"), json!(1.5)] {
            assert_eq!(idle_before(&settings(value.clone()), now), None, "{value}");
        }
        assert_eq!(idle_before(&Map::new(), now), None);
        assert_eq!(idle_before(&settings(json!(i64::MAX)), now), None);
    }
}

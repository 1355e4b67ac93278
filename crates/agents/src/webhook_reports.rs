//! What OpenHands agent servers (1.58) send to their webhooks, read into the domain's reports.
//!
//! The payloads are kept as they came; these are typed views of the few fields Tenantry acts on, so a
//! new field upstream never breaks ingestion. `POST {base}/conversations` carries one
//! `ConversationInfo`; `POST {base}/events/{id}` carries an array of events, each with `id` and
//! `kind`. `ConversationStateUpdateEvent`s (`key`/`value`) carry the execution status and the usage
//! (`stats.usage_to_metrics.<usage_id>`), whose values are cumulative.

use serde_json::{Map, Value};
use tenantry_domain::{
    DomainError, FieldError,
    agent_reports::{
        AgentStateChange, ConversationReport, MAX_EVENT_KEY, MAX_REPORTED_EVENTS, ReportedEvent,
        ReportedUsage,
    },
    conversation::Micros,
    conversations::execution_status::ExecutionStatus,
    usage_bounds::{MAX_REPORTED_COST, MAX_REPORTED_TOKENS},
};

/// Longest title or model name kept, in characters.
const MAX_TEXT: usize = 500;

/// Reads a `ConversationInfo` body. Only `id` is required; fields Tenantry does not know are ignored.
pub fn conversation_report(body: &Value) -> Result<ConversationReport, DomainError> {
    let object = body
        .as_object()
        .ok_or_else(|| DomainError::invalid("body", "must be a JSON object"))?;
    let id = object
        .get("id")
        .and_then(Value::as_str)
        .and_then(|id| uuid::Uuid::parse_str(id).ok())
        .ok_or_else(|| DomainError::invalid("id", "must be the conversation's UUID"))?;
    Ok(ConversationReport {
        id,
        title: text(object.get("title")),
        execution_status: status(object.get("execution_status")),
        llm_model: text(object.pointer_in(&["agent", "llm", "model"])),
        usage: match object.get("stats") {
            Some(stats) => usage_of_stats(stats).map_err(|message| DomainError::invalid("stats", message))?,
            None => None,
        },
    })
}

/// Reads an events body: a non-empty array of at most 1000 objects, each with a string `id` and
/// `kind`. Any problem rejects the whole batch. An event id repeated inside the batch counts once.
pub fn event_batch(body: &Value) -> Result<Vec<ReportedEvent>, DomainError> {
    let events = body
        .as_array()
        .ok_or_else(|| DomainError::invalid("body", "must be a JSON array of events"))?;
    if events.is_empty() || events.len() > MAX_REPORTED_EVENTS {
        return Err(DomainError::invalid("body", "send 1 to 1000 events"));
    }
    let mut errors = Vec::new();
    let mut batch: Vec<ReportedEvent> = Vec::with_capacity(events.len());
    let mut seen = std::collections::HashSet::new();
    for (index, event) in events.iter().enumerate() {
        let Some(object) = event.as_object() else {
            errors.push(FieldError::new(format!("[{index}]"), "must be a JSON object"));
            continue;
        };
        let key = object.get("id").and_then(Value::as_str).unwrap_or_default();
        if key.is_empty() || key.len() > MAX_EVENT_KEY {
            errors.push(FieldError::new(
                format!("[{index}].id"),
                "must be a string of 1 to 128 bytes",
            ));
        }
        if object
            .get("kind")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            errors.push(FieldError::new(
                format!("[{index}].kind"),
                "must be a non-empty string",
            ));
        }
        if let Some(Err(message)) = state_stats(event).map(usage_of_stats) {
            errors.push(FieldError::new(format!("[{index}].value"), message));
        }
        if errors.is_empty() && seen.insert(key.to_owned()) {
            batch.push(ReportedEvent {
                key: key.to_owned(),
                event: event.clone(),
                state: state_change(event),
            });
        }
    }
    if errors.is_empty() {
        Ok(batch)
    } else {
        Err(DomainError::Validation(errors))
    }
}

/// The status and usage one event reports, when it is a state update (`full_state` snapshots carry
/// both). Usage beyond the bounds (which [`event_batch`] refuses) is left out.
fn state_change(event: &Value) -> AgentStateChange {
    let Some((status_value, stats)) = state_update(event) else {
        return AgentStateChange::default();
    };
    AgentStateChange {
        execution_status: status(status_value),
        usage: stats.and_then(|stats| usage_of_stats(stats).ok().flatten()),
    }
}

/// A state-update event's execution status and stats values, when it is one.
fn state_update(event: &Value) -> Option<(Option<&Value>, Option<&Value>)> {
    if event.get("kind").and_then(Value::as_str) != Some("ConversationStateUpdateEvent") {
        return None;
    }
    let value = event.get("value").unwrap_or(&Value::Null);
    Some(match event.get("key").and_then(Value::as_str) {
        Some("execution_status") => (Some(value), None),
        Some("stats") => (None, Some(value)),
        Some("full_state") => (value.get("execution_status"), value.get("stats")),
        _ => (None, None),
    })
}

/// The stats a state-update event carries, if any.
fn state_stats(event: &Value) -> Option<&Value> {
    state_update(event).and_then(|(_, stats)| stats)
}

/// Sums `usage_to_metrics` over its usage ids (the agent, a condenser, a title generator…): the
/// conversation's usage so far, which must stay within the per-report bounds of
/// [`tenantry_domain::usage_bounds`]. Figures that are not numbers, or negative, count as nothing.
fn usage_of_stats(stats: &Value) -> Result<Option<ReportedUsage>, String> {
    let Some(metrics) = stats.get("usage_to_metrics").and_then(Value::as_object) else {
        return Ok(None);
    };
    let (mut cost, mut prompt, mut completion) = (0.0_f64, 0_i128, 0_i128);
    for metric in metrics.values() {
        let metric_cost = metric
            .get("accumulated_cost")
            .and_then(Value::as_f64)
            .filter(|cost| cost.is_finite() && *cost >= 0.0)
            .unwrap_or(0.0);
        cost += metric_cost;
        let tokens = metric.get("accumulated_token_usage");
        let count = |field: &str| {
            tokens
                .and_then(|tokens| tokens.get(field))
                .and_then(Value::as_i64)
                .filter(|count| *count >= 0)
                .map_or(0, i128::from)
        };
        prompt += count("prompt_tokens");
        completion += count("completion_tokens");
    }
    let micros = (cost * 1_000_000.0).round();
    if micros > MAX_REPORTED_COST as f64 {
        return Err("the reported cost must be at most 10^9".into());
    }
    let tokens = |count: i128| {
        i64::try_from(count)
            .ok()
            .filter(|count| *count <= MAX_REPORTED_TOKENS)
            .ok_or_else(|| "the reported tokens must be at most 10^12 of each kind".to_owned())
    };
    Ok(Some(ReportedUsage {
        cost: micros as Micros,
        prompt_tokens: tokens(prompt)?,
        completion_tokens: tokens(completion)?,
    }))
}

fn status(value: Option<&Value>) -> Option<ExecutionStatus> {
    value.and_then(Value::as_str).and_then(ExecutionStatus::parse)
}

fn text(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .map(|text| {
            text.chars()
                .filter(|c| !c.is_control())
                .take(MAX_TEXT)
                .collect::<String>()
        })
        .filter(|text| !text.trim().is_empty())
}

trait PointerIn {
    fn pointer_in(&self, path: &[&str]) -> Option<&Value>;
}

impl PointerIn for Map<String, Value> {
    fn pointer_in(&self, path: &[&str]) -> Option<&Value> {
        let (first, rest) = path.split_first()?;
        rest.iter()
            .try_fold(self.get(*first)?, |value, key| value.get(key))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Every webhook delivery of a real run of the agent server, in order.
    fn deliveries() -> Vec<(String, Value)> {
        let fixture: Value = serde_json::from_str(include_str!(
            "../../../tests/fixtures/openhands/webhook_deliveries.json"
        ))
        .expect("fixture");
        fixture["deliveries"]
            .as_array()
            .expect("deliveries")
            .iter()
            .map(|delivery| {
                (
                    delivery["path"].as_str().expect("path").to_owned(),
                    delivery["body"].clone(),
                )
            })
            .collect()
    }

    #[test]
    fn the_real_runs_conversation_reports_read_as_expected() {
        let reports: Vec<ConversationReport> = deliveries()
            .iter()
            .filter(|(path, _)| path == "/conversations")
            .map(|(_, body)| conversation_report(body).expect("report"))
            .collect();
        assert_eq!(reports.len(), 4);
        assert_eq!(reports[0].execution_status.as_deref(), Some("idle"));
        assert_eq!(reports[0].title, None);
        assert_eq!(reports[0].llm_model.as_deref(), Some("openai/fake"));
        assert_eq!(reports[2].title.as_deref(), Some("Renamed"));
        assert_eq!(reports[3].execution_status.as_deref(), Some("deleting"));
        // Three calls of 100 prompt and 20 completion tokens at 1e-6 and 2e-6 per token.
        assert_eq!(
            reports[3].usage,
            Some(ReportedUsage {
                cost: 420,
                prompt_tokens: 300,
                completion_tokens: 60
            })
        );
    }

    #[test]
    fn the_real_runs_event_batches_carry_status_and_usage() {
        let batches: Vec<Vec<ReportedEvent>> = deliveries()
            .iter()
            .filter(|(path, _)| path.starts_with("/events/"))
            .map(|(_, body)| event_batch(body).expect("batch"))
            .collect();
        assert_eq!(batches.len(), 7);
        let first = AgentStateChange::of_run(&batches[0]);
        assert_eq!(first.execution_status.as_deref(), Some("running"));
        let second = AgentStateChange::of_run(&batches[1]);
        assert_eq!(second.execution_status.as_deref(), Some("finished"));
        assert_eq!(
            second.usage,
            Some(ReportedUsage {
                cost: 280,
                prompt_tokens: 200,
                completion_tokens: 40
            })
        );
    }

    #[test]
    fn bad_batches_are_rejected_whole() {
        assert!(event_batch(&json!({"id": "x"})).is_err());
        assert!(event_batch(&json!([])).is_err());
        let missing_kind = json!([{"id": "a", "kind": "MessageEvent"}, {"id": "b"}]);
        match event_batch(&missing_kind) {
            Err(DomainError::Validation(errors)) => assert_eq!(errors[0].field, "[1].kind"),
            other => panic!("{other:?}"),
        }
        assert!(event_batch(&json!([{"kind": "MessageEvent"}])).is_err());
        assert!(event_batch(&json!([1])).is_err());
    }

    #[test]
    fn usage_beyond_the_bounds_is_refused_not_saturated() {
        let metric = |cost: f64, tokens: i64| json!({"accumulated_cost": cost, "accumulated_token_usage": {"prompt_tokens": tokens, "completion_tokens": 1}});
        let stats = |metrics: Vec<Value>| {
            let map: Map<String, Value> = metrics
                .into_iter()
                .enumerate()
                .map(|(index, metric)| (format!("usage-{index}"), metric))
                .collect();
            json!({"usage_to_metrics": map})
        };
        let report = |stats: Value| json!({"id": uuid::Uuid::nil(), "stats": stats});
        let within =
            conversation_report(&report(stats(vec![metric(1.5, 10), metric(2.0, 5)]))).expect("report");
        assert_eq!(
            within.usage,
            Some(ReportedUsage {
                cost: 3_500_000,
                prompt_tokens: 15,
                completion_tokens: 2
            })
        );
        // Each metric within the bound, their sum beyond it.
        let costly = stats(vec![metric(6e8, 0), metric(6e8, 0)]);
        assert!(matches!(
            conversation_report(&report(costly.clone())),
            Err(DomainError::Validation(_))
        ));
        let wordy = stats(vec![metric(0.0, i64::MAX), metric(0.0, i64::MAX)]);
        assert!(conversation_report(&report(wordy)).is_err());
        let batch = json!([
            {"id": "a", "kind": "MessageEvent"},
            {"id": "b", "kind": "ConversationStateUpdateEvent", "key": "stats", "value": costly}
        ]);
        match event_batch(&batch) {
            Err(DomainError::Validation(errors)) => assert_eq!(errors[0].field, "[1].value"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn repeated_ids_in_one_batch_count_once() {
        let batch = event_batch(&json!([
            {"id": "a", "kind": "MessageEvent"},
            {"id": "a", "kind": "MessageEvent"},
            {"id": "b", "kind": "MessageEvent"}
        ]))
        .expect("batch");
        let keys: Vec<&str> = batch.iter().map(|event| event.key.as_str()).collect();
        assert_eq!(keys, ["a", "b"]);
    }

    #[test]
    fn reports_need_an_id_and_ignore_unknown_fields() {
        assert!(conversation_report(&json!({"title": "x"})).is_err());
        let report = conversation_report(&json!({
            "id": "5542a5f7-8c28-4176-ae6f-3a62f69b62e0",
            "execution_status": "Some Weird Status",
            "brand_new_field": {"anything": true}
        }))
        .expect("report");
        assert_eq!(report.execution_status, None, "an unreadable status is ignored");
    }
}

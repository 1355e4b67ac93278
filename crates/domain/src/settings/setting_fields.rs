//! Org settings (agent and LLM defaults), member overrides, locks, and user preferences.

use serde_json::{Map, Value};

use crate::{DomainError, FieldError};

/// The type a settings field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A string of at most 2048 characters.
    Text,
    /// A whole number, not negative.
    Count,
    /// true or false.
    Flag,
    /// A number, not negative.
    Amount,
    /// Any JSON object.
    Object,
    /// A string that is stored encrypted and never read back.
    Secret,
}

/// The agent and LLM settings an org sets and members may override.
pub const SETTINGS_FIELDS: &[(&str, FieldKind)] = &[
    ("agent", FieldKind::Text),
    ("max_iterations", FieldKind::Count),
    ("security_analyzer", FieldKind::Text),
    ("confirmation_mode", FieldKind::Flag),
    ("llm_model", FieldKind::Text),
    ("llm_base_url", FieldKind::Text),
    ("llm_api_key", FieldKind::Secret),
    ("enable_default_condenser", FieldKind::Flag),
    ("mcp_config", FieldKind::Object),
    ("sandbox_base_container_image", FieldKind::Text),
    ("sandbox_runtime_container_image", FieldKind::Text),
    ("max_budget_per_task", FieldKind::Amount),
    ("conversation_expiration", FieldKind::Count),
];

/// The user preferences.
pub const PREFERENCE_FIELDS: &[(&str, FieldKind)] = &[
    ("language", FieldKind::Text),
    ("enable_sound_notifications", FieldKind::Flag),
    ("user_consents_to_analytics", FieldKind::Flag),
    ("accepted_tos", FieldKind::Flag),
];

/// A validated change: plain values to set or clear, and secret fields to set or clear.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SettingsChange {
    /// Plain fields: `Value::Null` clears.
    pub values: Map<String, Value>,
    /// Secret fields: `None` clears.
    pub secrets: Vec<(String, Option<String>)>,
}

/// Checks a PATCH body against `fields`; `extra` names keys handled by the caller (ignored here).
pub fn validate_change(
    body: &Map<String, Value>,
    fields: &[(&str, FieldKind)],
    extra: &[&str],
) -> Result<SettingsChange, DomainError> {
    let mut change = SettingsChange::default();
    let mut errors = Vec::new();
    for (key, value) in body {
        if extra.contains(&key.as_str()) {
            continue;
        }
        let Some((_, kind)) = fields.iter().find(|(name, _)| name == key) else {
            errors.push(FieldError::new(key, "is not a known setting"));
            continue;
        };
        let valid = match (kind, value) {
            (_, Value::Null) => true,
            (FieldKind::Text | FieldKind::Secret, Value::String(text)) => text.chars().count() <= 2048,
            (FieldKind::Count, Value::Number(n)) => n.as_u64().is_some(),
            (FieldKind::Amount, Value::Number(n)) => n.as_f64().is_some_and(|n| n.is_finite() && n >= 0.0),
            (FieldKind::Flag, Value::Bool(_)) => true,
            (FieldKind::Object, Value::Object(_)) => true,
            _ => false,
        };
        if !valid {
            errors.push(FieldError::new(key, expectation(*kind)));
            continue;
        }
        if *kind == FieldKind::Secret {
            change
                .secrets
                .push((key.clone(), value.as_str().map(str::to_owned)));
        } else {
            change.values.insert(key.clone(), value.clone());
        }
    }
    if errors.is_empty() {
        Ok(change)
    } else {
        Err(DomainError::Validation(errors))
    }
}

fn expectation(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Text | FieldKind::Secret => "must be a string of at most 2048 characters, or null",
        FieldKind::Count => "must be a whole number, not negative, or null",
        FieldKind::Amount => "must be a number, not negative, or null",
        FieldKind::Flag => "must be true, false or null",
        FieldKind::Object => "must be a JSON object or null",
    }
}

/// Applies plain changes to stored values (null removes a key).
pub fn apply(values: &mut Map<String, Value>, change: &Map<String, Value>) {
    for (key, value) in change {
        if value.is_null() {
            values.remove(key);
        } else {
            values.insert(key.clone(), value.clone());
        }
    }
}

/// Org values overlaid with a member's overrides, except where the org locked a field.
pub fn merge(org: &Map<String, Value>, member: &Map<String, Value>, locked: &[String]) -> Map<String, Value> {
    let mut effective = org.clone();
    for (key, value) in member {
        if !locked.contains(key) {
            effective.insert(key.clone(), value.clone());
        }
    }
    effective
}

/// Whether `name` is a settings field.
pub fn is_settings_field(name: &str) -> bool {
    SETTINGS_FIELDS.iter().any(|(field, _)| *field == name)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().expect("object")
    }

    #[test]
    fn validates_types_and_names() {
        let body = object(json!({ "max_iterations": -1, "agent": 3, "nope": true, "mcp_config": [] }));
        let Err(DomainError::Validation(errors)) = validate_change(&body, SETTINGS_FIELDS, &[]) else {
            panic!("expected errors");
        };
        let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort();
        assert_eq!(fields, ["agent", "max_iterations", "mcp_config", "nope"]);
    }

    #[test]
    fn secrets_are_split_from_plain_values() {
        let body = object(json!({ "llm_api_key": "sk-1", "llm_model": "m", "locked_fields": [] }));
        let change = validate_change(&body, SETTINGS_FIELDS, &["locked_fields"]).expect("valid");
        assert_eq!(
            change.secrets,
            [("llm_api_key".to_owned(), Some("sk-1".to_owned()))]
        );
        assert_eq!(change.values.get("llm_model"), Some(&json!("m")));
        assert!(!change.values.contains_key("llm_api_key"));
    }

    #[test]
    fn locked_fields_keep_the_org_value() {
        let org = object(json!({ "llm_model": "org-model", "agent": "A" }));
        let member = object(json!({ "llm_model": "mine", "agent": "B" }));
        let effective = merge(&org, &member, &["llm_model".to_owned()]);
        assert_eq!(effective.get("llm_model"), Some(&json!("org-model")));
        assert_eq!(effective.get("agent"), Some(&json!("B")));
    }
}

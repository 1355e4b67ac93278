//! Importing another store's history: what a source yields, and the rules that make an import
//! idempotent and resumable. A conversation keeps its source id, so a second run finds it; the
//! events it already holds are skipped (ids are dense, so their number is where to go on); settings
//! and secrets fill only what the org has not set.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::{
    Conversation, ConversationId, Email, OrgId, SecretString, Visibility, conversations::conversation::Micros,
};

/// A conversation as a source describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedConversation {
    /// Its id in the source, kept.
    pub id: ConversationId,
    /// Title.
    pub title: Option<String>,
    /// Repository.
    pub selected_repository: Option<String>,
    /// Branch.
    pub selected_branch: Option<String>,
    /// Git provider.
    pub git_provider: Option<String>,
    /// Trigger.
    pub trigger: Option<String>,
    /// Model.
    pub llm_model: Option<String>,
    /// Visibility; private when the source has none.
    pub visibility: Option<Visibility>,
    /// Pull requests.
    pub pr_number: Vec<i64>,
    /// Cost so far.
    pub accumulated_cost: Micros,
    /// Prompt tokens so far.
    pub prompt_tokens: i64,
    /// Completion tokens so far.
    pub completion_tokens: i64,
    /// All tokens so far.
    pub total_tokens: i64,
    /// Execution status, as the agent last reported it.
    pub execution_status: Option<String>,
    /// Who created it, when the source knows (matched to a member by email).
    pub created_by: Option<Email>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last activity.
    pub last_updated_at: DateTime<Utc>,
}

/// One event of a conversation, in source order.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedEvent {
    /// The event as the agent wrote it.
    pub event: Value,
    /// When it was stored, if the source knows.
    pub stored_at: Option<DateTime<Utc>>,
}

/// Settings a source holds: plain fields (as in the settings API) and the LLM key.
#[derive(Debug, Clone, Default)]
pub struct ImportedSettings {
    /// Plain fields by their Tenantry names.
    pub values: Map<String, Value>,
    /// The LLM API key.
    pub llm_api_key: Option<SecretString>,
}

/// A named secret a source holds.
#[derive(Debug, Clone)]
pub struct ImportedSecret {
    /// Name (as Tenantry secret names go).
    pub name: String,
    /// Value.
    pub value: SecretString,
    /// Description.
    pub description: Option<String>,
}

/// Something a source could not read, or the import could not apply; the rest goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    /// What it concerns: a file, a conversation, a setting.
    pub item: String,
    /// Why.
    pub message: String,
}

impl ImportProblem {
    /// A problem with `item`.
    pub fn new(item: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            item: item.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.item, self.message)
    }
}

/// Where the import of one conversation starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStart {
    /// Not imported yet: create it, then append every event.
    Create,
    /// Imported before (perhaps half-way): skip the events it holds and append the rest.
    Resume {
        /// Events already stored.
        stored_events: i64,
    },
}

/// Decides where to start with a conversation the target org may already hold.
pub fn import_start(existing: Option<&Conversation>, org: OrgId) -> ImportStart {
    match existing {
        Some(conversation) if conversation.org_id == org => ImportStart::Resume {
            stored_events: conversation.event_count,
        },
        _ => ImportStart::Create,
    }
}

/// The fields of `imported` the org has not set (`set` tells whether a field holds a value):
/// an import never overwrites what the org already decided.
pub fn settings_to_fill(imported: &Map<String, Value>, set: impl Fn(&str) -> bool) -> Map<String, Value> {
    imported
        .iter()
        .filter(|(field, value)| !value.is_null() && !set(field))
        .map(|(field, value)| (field.clone(), value.clone()))
        .collect()
}

/// Splits events into append batches of at most `max`, cutting where the stored time changes so
/// each batch keeps one time (a Tenantry archive's events keep the times they were appended at).
pub fn append_batches(events: Vec<ImportedEvent>, max: usize) -> Vec<(Option<DateTime<Utc>>, Vec<Value>)> {
    let mut batches: Vec<(Option<DateTime<Utc>>, Vec<Value>)> = Vec::new();
    for event in events {
        match batches.last_mut() {
            Some((at, batch)) if *at == event.stored_at && batch.len() < max => batch.push(event.event),
            _ => batches.push((event.stored_at, vec![event.event])),
        }
    }
    batches
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

    fn event(n: i64, at: Option<i64>) -> ImportedEvent {
        ImportedEvent {
            event: json!({ "n": n }),
            stored_at: at.map(|secs| Utc.timestamp_opt(secs, 0).unwrap()),
        }
    }

    #[test]
    fn batches_keep_one_time_each_and_respect_the_maximum() {
        let events = vec![
            event(0, Some(1)),
            event(1, Some(1)),
            event(2, Some(1)),
            event(3, Some(2)),
            event(4, None),
            event(5, None),
        ];
        let batches = append_batches(events, 2);
        let sizes: Vec<usize> = batches.iter().map(|(_, batch)| batch.len()).collect();
        assert_eq!(sizes, [2, 1, 1, 2]);
        assert_eq!(batches[3].1, vec![json!({ "n": 4 }), json!({ "n": 5 })]);
    }

    #[test]
    fn only_unset_fields_are_filled() {
        let imported = json!({ "llm_model": "a", "agent": "CodeActAgent", "max_iterations": null });
        let fill = settings_to_fill(imported.as_object().unwrap(), |field| field == "llm_model");
        assert_eq!(Value::Object(fill), json!({ "agent": "CodeActAgent" }));
    }
}

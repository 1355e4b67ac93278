//! The single-user OpenHands file store (`~/.openhands`, the app's `file_store_path`):
//! `settings.json`, `secrets.json`, and `sessions/<sid>/metadata.json` with the events beside it
//! as `sessions/<sid>/events/<n>.json` (`event_cache/` pages repeat them and are not read).

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use tenantry_domain::{
    ConversationId, SecretString,
    import::{ImportProblem, ImportedConversation, ImportedSecret, ImportedSettings},
    services::conversations::cost_to_micros,
};
use tokio::sync::oneshot;

use crate::{
    confined_files,
    read_limits::MAX_DOCUMENT_BYTES,
    source_reading::{event_files, refused, send_event_files, time},
    source_thread::{Feeder, Item, Preamble},
};

/// Settings fields whose OpenHands name is Tenantry's too.
const SETTINGS: &[&str] = &[
    "agent",
    "max_iterations",
    "security_analyzer",
    "confirmation_mode",
    "llm_model",
    "llm_base_url",
    "enable_default_condenser",
    "mcp_config",
    "sandbox_base_container_image",
    "sandbox_runtime_container_image",
    "max_budget_per_task",
];

/// The environment variable OpenHands gives a provider's token in the sandbox.
fn provider_secret_name(provider: &str) -> String {
    format!("{}_TOKEN", provider.to_ascii_uppercase())
}

/// `<n>.json` → n.
fn event_index(name: &str) -> Option<u64> {
    name.strip_suffix(".json")?.parse().ok()
}

/// Whether `path` looks like a file store.
pub fn recognizes(path: &Path) -> bool {
    path.join("settings.json").is_file() || path.join("sessions").is_dir()
}

/// The session directories, sorted (entries whose names start with a dot are not sessions).
fn sessions(path: &Path) -> Result<Vec<PathBuf>, ImportProblem> {
    let mut sessions = Vec::new();
    for (name, session) in confined_files::list(&path.join("sessions"))? {
        if !name.starts_with('.') && confined_files::is_dir(&session)? {
            sessions.push(session);
        }
    }
    Ok(sessions)
}

/// Checks every file the import will read, before it reads any: no link, no file too large.
fn check(path: &Path) -> Result<Vec<PathBuf>, ImportProblem> {
    for name in ["settings.json", "secrets.json"] {
        confined_files::check_file(&path.join(name), MAX_DOCUMENT_BYTES)?;
    }
    let sessions = sessions(path)?;
    for session in &sessions {
        confined_files::check_file(&session.join("metadata.json"), MAX_DOCUMENT_BYTES)?;
        event_files(&session.join("events"), event_index)?;
    }
    Ok(sessions)
}

fn read_json(path: &Path) -> Result<Value, ImportProblem> {
    confined_files::read_json(path, MAX_DOCUMENT_BYTES)
}

/// Reads the store at `path` on the calling (reader) thread.
pub fn read(path: &Path, preamble: oneshot::Sender<Result<Preamble, ImportProblem>>, feeder: Feeder) {
    let sessions = match check(path) {
        Ok(sessions) => sessions,
        Err(problem) => {
            let _ = preamble.send(Err(refused(problem)));
            return;
        }
    };
    let settings_path = path.join("settings.json");
    let settings = settings_path
        .is_file()
        .then(|| read_json(&settings_path).map(settings));
    let secrets_path = path.join("secrets.json");
    let (secrets, problems) = if secrets_path.is_file() {
        match read_json(&secrets_path) {
            Ok(stored) => (secrets(&stored), Vec::new()),
            Err(problem) => (Vec::new(), vec![problem]),
        }
    } else {
        (Vec::new(), Vec::new())
    };
    let sent = preamble.send(Ok(Preamble {
        settings,
        secrets,
        problems,
        conversations: sessions.len() as u64,
    }));
    if sent.is_err() {
        return;
    }
    for session in sessions {
        let conversation =
            read_json(&session.join("metadata.json")).and_then(|meta| conversation(&session, &meta));
        let ok = conversation.is_ok();
        if !feeder.send(Item::Conversation(Box::new(conversation))) {
            return;
        }
        if ok && !send_event_files(&session.join("events"), event_index, &feeder) {
            return;
        }
    }
}

fn settings(stored: Value) -> ImportedSettings {
    let mut values = Map::new();
    for field in SETTINGS {
        match &stored[*field] {
            Value::Null => {}
            value => {
                values.insert((*field).to_owned(), value.clone());
            }
        }
    }
    let llm_api_key = stored["llm_api_key"]
        .as_str()
        .filter(|key| !key.trim().is_empty() && !key.chars().all(|c| c == '*'))
        .map(|key| SecretString::new(key.to_owned()));
    ImportedSettings { values, llm_api_key }
}

fn secrets(stored: &Value) -> Vec<ImportedSecret> {
    let mut secrets = Vec::new();
    for (name, secret) in stored["custom_secrets"].as_object().into_iter().flatten() {
        if let Some(value) = secret["secret"].as_str().filter(|value| !value.is_empty()) {
            secrets.push(ImportedSecret {
                name: name.clone(),
                value: SecretString::new(value.to_owned()),
                description: secret["description"]
                    .as_str()
                    .filter(|d| !d.is_empty())
                    .map(str::to_owned),
            });
        }
    }
    for (provider, token) in stored["provider_tokens"].as_object().into_iter().flatten() {
        if let Some(value) = token["token"].as_str().filter(|value| !value.is_empty()) {
            let host = token["host"]
                .as_str()
                .map(|host| format!("{provider} token for {host}"));
            secrets.push(ImportedSecret {
                name: provider_secret_name(provider),
                value: SecretString::new(value.to_owned()),
                description: host.or_else(|| Some(format!("{provider} token"))),
            });
        }
    }
    secrets
}

/// A session id as a conversation id: OpenHands writes UUIDs as 32 hex digits; any other name
/// gets a stable name-based UUID, so a second import finds it again.
fn conversation_id(sid: &str) -> ConversationId {
    sid.parse().unwrap_or_else(|_| {
        uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_URL,
            format!("openhands:session:{sid}").as_bytes(),
        )
    })
}

fn conversation(session: &Path, meta: &Value) -> Result<ImportedConversation, ImportProblem> {
    let item = || session.join("metadata.json").display().to_string();
    let sid = meta["conversation_id"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| {
            session
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .ok_or_else(|| ImportProblem::new(item(), "no conversation_id"))?;
    // OpenHands itself treats metadata without created_at as missing.
    let created_at = time(&meta["created_at"]).ok_or_else(|| ImportProblem::new(item(), "no created_at"))?;
    let text = |field: &str| meta[field].as_str().map(str::to_owned);
    let count = |field: &str| meta[field].as_i64().unwrap_or(0);
    let accumulated_cost = cost_to_micros(meta["accumulated_cost"].as_f64().unwrap_or(0.0))
        .map_err(|error| ImportProblem::new(item(), error.to_string()))?;
    Ok(ImportedConversation {
        id: conversation_id(&sid),
        title: text("title"),
        selected_repository: text("selected_repository"),
        selected_branch: text("selected_branch"),
        git_provider: text("git_provider"),
        trigger: text("trigger"),
        llm_model: text("llm_model"),
        visibility: None,
        pr_number: meta["pr_number"]
            .as_array()
            .map(|numbers| numbers.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default(),
        accumulated_cost,
        prompt_tokens: count("prompt_tokens"),
        completion_tokens: count("completion_tokens"),
        total_tokens: count("total_tokens"),
        execution_status: None,
        created_by: None,
        created_at,
        last_updated_at: time(&meta["last_updated_at"]).unwrap_or(created_at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_become_stable_conversation_ids() {
        let hex = "3f2a9c1e8b7d4e6fa0b1c2d3e4f5a6b7";
        assert_eq!(conversation_id(hex).simple().to_string(), hex);
        assert_eq!(conversation_id("my-session"), conversation_id("my-session"));
        assert_ne!(conversation_id("my-session"), conversation_id("other"));
    }
}

//! An OpenHands agent server's persistence directory (`OH_CONVERSATIONS_PATH`): one directory per
//! conversation with `meta.json` (the start request, title, times, secrets), `base_state.json`
//! (agent, status, usage) and `events/event-<index>-<event id>.json`.

use std::{
    fs,
    path::{Path, PathBuf},
};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use tenantry_domain::{
    SecretString,
    import::{ImportProblem, ImportedConversation, ImportedSecret, ImportedSettings},
    services::conversations::cost_to_micros,
};
use tokio::sync::oneshot;

use crate::{
    confined_files,
    fernet_key::{AgentServerCipher, looks_encrypted},
    read_limits::MAX_DOCUMENT_BYTES,
    source_reading::{event_files, refused, send_event_files, time},
    source_thread::{Feeder, Item, Preamble},
};

/// Whether `path` looks like a persistence directory (or its parent).
pub fn recognizes(path: &Path) -> bool {
    conversation_dirs(&root(path)).is_ok_and(|dirs| !dirs.is_empty())
}

fn root(path: &Path) -> PathBuf {
    let nested = path.join("conversations");
    if nested.is_dir() { nested } else { path.to_owned() }
}

fn conversation_dirs(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.join("base_state.json").is_file() || path.join("meta.json").is_file())
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// The conversation directories, once every file the import will read is checked (no link, no
/// file too large), before it reads any.
fn check(path: &Path) -> Result<Vec<PathBuf>, ImportProblem> {
    confined_files::is_dir(&path.join("conversations"))?;
    let root = root(path);
    let dirs = conversation_dirs(&root)
        .map_err(|error| ImportProblem::new(root.display().to_string(), error.to_string()))?;
    for dir in &dirs {
        confined_files::is_dir(dir)?;
        for name in ["meta.json", "base_state.json"] {
            confined_files::check_file(&dir.join(name), MAX_DOCUMENT_BYTES)?;
        }
        event_files(&dir.join("events"), event_index)?;
    }
    Ok(dirs)
}

fn read_json(path: &Path) -> Result<Value, ImportProblem> {
    confined_files::read_json(path, MAX_DOCUMENT_BYTES)
}

/// Reads the store at `path` on the calling (reader) thread.
pub fn read(
    path: &Path,
    secret_key: Option<&str>,
    preamble: oneshot::Sender<Result<Preamble, ImportProblem>>,
    feeder: Feeder,
) {
    let dirs = match check(path) {
        Ok(dirs) => dirs,
        Err(problem) => {
            let _ = preamble.send(Err(refused(problem)));
            return;
        }
    };
    let cipher = secret_key.map(AgentServerCipher::new);
    let mut problems = Vec::new();
    let mut parsed: Vec<(PathBuf, Value, Value)> = Vec::new();
    for dir in &dirs {
        let meta = read_json(&dir.join("meta.json"));
        let state = read_json(&dir.join("base_state.json"));
        match (meta, state) {
            (Ok(meta), Ok(state)) => parsed.push((dir.clone(), meta, state)),
            (Err(problem), _) | (_, Err(problem)) => problems.push(problem),
        }
    }
    // The newest conversation tells what the settings and secrets are now.
    parsed.sort_by_key(|(_, meta, _)| time(&meta["updated_at"]));
    let mut preamble_problems = Vec::new();
    let settings = parsed.last().map(|(dir, meta, state)| {
        let (settings, problem) = settings(dir, meta, state, cipher.as_ref());
        preamble_problems.extend(problem);
        Ok(settings)
    });
    let mut secrets: Vec<ImportedSecret> = Vec::new();
    for (dir, meta, _) in &parsed {
        for (name, source) in meta["secrets"].as_object().into_iter().flatten() {
            match secret(dir, name, source, cipher.as_ref()) {
                Ok(Some(found)) => {
                    secrets.retain(|known| known.name != found.name);
                    secrets.push(found);
                }
                Ok(None) => {}
                Err(problem) => preamble_problems.push(problem),
            }
        }
    }
    let sent = preamble.send(Ok(Preamble {
        settings,
        secrets,
        problems: preamble_problems,
        conversations: dirs.len() as u64,
    }));
    if sent.is_err() {
        return;
    }
    for problem in problems {
        if !feeder.send(Item::Conversation(Box::new(Err(problem)))) {
            return;
        }
    }
    for (dir, meta, state) in parsed {
        let conversation = conversation(&dir, &meta, &state);
        let ok = conversation.is_ok();
        if !feeder.send(Item::Conversation(Box::new(conversation))) {
            return;
        }
        if ok && !send_event_files(&dir.join("events"), event_index, &feeder) {
            return;
        }
    }
}

/// The settings of the newest conversation; the LLM key left out (with why) when it cannot be read.
fn settings(
    dir: &Path,
    meta: &Value,
    state: &Value,
    cipher: Option<&AgentServerCipher>,
) -> (ImportedSettings, Option<ImportProblem>) {
    let llm = &state["agent"]["llm"];
    let mut values = Map::new();
    for (field, value) in [
        ("llm_model", &llm["model"]),
        ("llm_base_url", &llm["base_url"]),
        ("max_iterations", &meta["max_iterations"]),
    ] {
        if !value.is_null() {
            values.insert(field.into(), value.clone());
        }
    }
    if let Some(kind) = meta["confirmation_policy"]["kind"].as_str() {
        values.insert("confirmation_mode".into(), json!(kind != "NeverConfirm"));
    }
    if let Some(kind) = meta["security_analyzer"]["kind"].as_str() {
        let analyzer = if kind == "LLMSecurityAnalyzer" {
            "llm"
        } else {
            kind
        };
        values.insert("security_analyzer".into(), json!(analyzer));
    }
    let (llm_api_key, problem) = match llm["api_key"]
        .as_str()
        .map(|value| reveal(dir, "llm api_key", value, cipher))
    {
        None => (None, None),
        Some(Ok(key)) => (key, None),
        Some(Err(problem)) => (None, Some(problem)),
    };
    (ImportedSettings { values, llm_api_key }, problem)
}

/// A stored secret field's value: decrypted with the key, or as stored when it is plain.
/// `None` for a redacted value.
fn reveal(
    dir: &Path,
    what: &str,
    value: &str,
    cipher: Option<&AgentServerCipher>,
) -> Result<Option<SecretString>, ImportProblem> {
    let item = format!("{} ({what})", dir.display());
    if value.chars().all(|c| c == '*') {
        return Ok(None);
    }
    if !looks_encrypted(value) {
        return Ok(Some(SecretString::new(value.to_owned())));
    }
    let cipher = cipher.ok_or_else(|| {
        ImportProblem::new(
            &item,
            "encrypted by the agent server: give its OH_SECRET_KEY (--secret-key)",
        )
    })?;
    cipher
        .decrypt(value)
        .map(|plain| Some(SecretString::new(plain)))
        .ok_or_else(|| ImportProblem::new(item, "the secret key given does not decrypt it"))
}

fn secret(
    dir: &Path,
    name: &str,
    source: &Value,
    cipher: Option<&AgentServerCipher>,
) -> Result<Option<ImportedSecret>, ImportProblem> {
    if source["kind"] != "StaticSecret" {
        return Ok(None);
    }
    let Some(value) = source["value"].as_str() else {
        return Ok(None);
    };
    let Some(value) = reveal(dir, &format!("secret {name}"), value, cipher)? else {
        return Ok(None);
    };
    Ok(Some(ImportedSecret {
        name: name.to_owned(),
        value,
        description: source["description"].as_str().map(str::to_owned),
    }))
}

fn conversation(dir: &Path, meta: &Value, state: &Value) -> Result<ImportedConversation, ImportProblem> {
    let item = || dir.display().to_string();
    let id = meta["id"]
        .as_str()
        .or_else(|| state["id"].as_str())
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| ImportProblem::new(item(), "no conversation id in meta.json"))?;
    let created_at: DateTime<Utc> =
        time(&meta["created_at"]).ok_or_else(|| ImportProblem::new(item(), "no created_at in meta.json"))?;
    let (mut cost, mut prompt, mut completion) = (0.0, 0, 0);
    for metrics in state["stats"]["usage_to_metrics"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(_, m)| m)
    {
        cost += metrics["accumulated_cost"].as_f64().unwrap_or(0.0);
        let usage = &metrics["accumulated_token_usage"];
        prompt += usage["prompt_tokens"].as_i64().unwrap_or(0);
        completion += usage["completion_tokens"].as_i64().unwrap_or(0);
    }
    let accumulated_cost =
        cost_to_micros(cost).map_err(|error| ImportProblem::new(item(), error.to_string()))?;
    Ok(ImportedConversation {
        id,
        title: meta["title"].as_str().map(str::to_owned),
        selected_repository: None,
        selected_branch: None,
        git_provider: None,
        trigger: Some("openhands_api".into()),
        llm_model: state["agent"]["llm"]["model"].as_str().map(str::to_owned),
        visibility: None,
        pr_number: Vec::new(),
        accumulated_cost,
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        execution_status: state["execution_status"].as_str().map(str::to_owned),
        created_by: None,
        created_at,
        last_updated_at: time(&meta["updated_at"]).unwrap_or(created_at),
    })
}

/// `event-<index>-<event id>.json` → index.
fn event_index(name: &str) -> Option<u64> {
    let rest = name.strip_prefix("event-")?.strip_suffix(".json")?;
    let (index, _) = rest.split_once('-')?;
    (index.len() >= 5 && index.bytes().all(|b| b.is_ascii_digit())).then(|| index.parse().ok())?
}

#[cfg(test)]
mod tests {
    use super::event_index;

    #[test]
    fn event_files_are_ordered_by_their_index() {
        assert_eq!(
            event_index("event-00012-3c542719-c33d-4f3f-b134-268d7d7cced4.json"),
            Some(12)
        );
        assert_eq!(event_index("event-123456-abcdefab.json"), Some(123_456));
        assert_eq!(event_index("event-12-abc.json"), None);
        assert_eq!(event_index(".eventlog.lock"), None);
    }
}

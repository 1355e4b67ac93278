//! A Tenantry org export read back in one pass: the org's settings, the members (to keep
//! creators), then each conversation followed by its events with the times they were stored at.

use std::{
    collections::HashMap,
    fs::File,
    io::{BufRead, BufReader, Read},
    path::Path,
};

use flate2::read::GzDecoder;
use serde_json::{Map, Value};
use tenantry_domain::{
    Email, Visibility,
    import::{ImportProblem, ImportedConversation, ImportedEvent, ImportedSettings},
};
use tokio::sync::oneshot;

use crate::{
    archive_layout::{self as layout, FORMAT, VERSION},
    source_thread::{EVENT_CHUNK, Feeder, Item, Preamble},
    sources::time,
};

/// Reads the archive at `path` on the calling (reader) thread.
pub fn read(path: &Path, preamble: oneshot::Sender<Result<Preamble, ImportProblem>>, feeder: Feeder) {
    let item = path.display().to_string();
    let file = match File::open(path) {
        Ok(file) => file,
        Err(error) => {
            let _ = preamble.send(Err(ImportProblem::new(item, error.to_string())));
            return;
        }
    };
    let mut archive = tar::Archive::new(GzDecoder::new(BufReader::new(file)));
    let entries = match archive.entries() {
        Ok(entries) => entries,
        Err(error) => {
            let _ = preamble.send(Err(ImportProblem::new(item, error.to_string())));
            return;
        }
    };
    let mut reader = Reader {
        item,
        preamble: Some(preamble),
        settings: None,
        members: HashMap::new(),
        manifest_seen: false,
        feeder,
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(entry) => entry,
            Err(error) => return reader.fail(format!("unreadable archive: {error}")),
        };
        let path = match entry.path() {
            Ok(path) => path.to_string_lossy().into_owned(),
            Err(error) => return reader.fail(format!("unreadable entry name: {error}")),
        };
        if !reader.entry(&path, &mut entry) {
            return;
        }
    }
    if !reader.manifest_seen {
        reader.fail(format!("no {} in the archive", layout::MANIFEST));
    } else {
        // An org without conversations: the preamble is all there is.
        reader.begin_conversations();
    }
}

struct Reader {
    item: String,
    preamble: Option<oneshot::Sender<Result<Preamble, ImportProblem>>>,
    settings: Option<ImportedSettings>,
    members: HashMap<String, Email>,
    manifest_seen: bool,
    feeder: Feeder,
}

impl Reader {
    fn fail(&mut self, message: String) {
        let problem = ImportProblem::new(&self.item, message);
        match self.preamble.take() {
            Some(preamble) => {
                let _ = preamble.send(Err(problem));
            }
            None => {
                self.feeder.send(Item::Conversation(Box::new(Err(problem))));
            }
        }
    }

    /// Hands over the preamble once the conversations begin; `false` if nobody listens.
    fn begin_conversations(&mut self) -> bool {
        match self.preamble.take() {
            Some(preamble) => preamble
                .send(Ok(Preamble {
                    settings: self.settings.take().map(Ok),
                    ..Preamble::default()
                }))
                .is_ok(),
            None => true,
        }
    }

    /// Handles one entry; `false` to stop.
    fn entry(&mut self, path: &str, entry: &mut impl Read) -> bool {
        if path == layout::MANIFEST {
            return match read_value(entry) {
                Ok(manifest) if manifest["format"] == FORMAT && manifest["version"] == VERSION => {
                    self.manifest_seen = true;
                    true
                }
                Ok(manifest) => {
                    self.fail(format!(
                        "not a Tenantry org export of version {VERSION} (format {}, version {})",
                        manifest["format"], manifest["version"]
                    ));
                    false
                }
                Err(message) => {
                    self.fail(message);
                    false
                }
            };
        }
        if !self.manifest_seen {
            self.fail(format!("{} must come first", layout::MANIFEST));
            return false;
        }
        if path == layout::ORG {
            match read_value(entry) {
                Ok(org) => self.settings = Some(settings(&org)),
                Err(message) => {
                    self.fail(message);
                    return false;
                }
            }
        } else if path == layout::MEMBERS {
            for line in BufReader::new(entry).lines() {
                let Ok(line) = line else { break };
                let Ok(member) = serde_json::from_str::<Value>(&line) else {
                    continue;
                };
                if let (Some(id), Some(email)) = (member["user_id"].as_str(), member["email"].as_str())
                    && let Ok(email) = Email::parse(email)
                {
                    self.members.insert(id.to_owned(), email);
                }
            }
        } else if path.ends_with("/conversation.json") {
            if !self.begin_conversations() {
                return false;
            }
            let conversation = read_value(entry)
                .map_err(|message| ImportProblem::new(path, message))
                .and_then(|value| self.conversation(path, &value));
            return self.feeder.send(Item::Conversation(Box::new(conversation)));
        } else if layout::conversation_of(path).is_some() {
            return self.events(path, entry);
        }
        true
    }

    fn conversation(&self, path: &str, value: &Value) -> Result<ImportedConversation, ImportProblem> {
        let problem = |message: &str| ImportProblem::new(path, message);
        let text = |field: &str| value[field].as_str().map(str::to_owned);
        let count = |field: &str| value[field].as_i64().unwrap_or(0);
        let created_at = time(&value["created_at"]).ok_or_else(|| problem("no created_at"))?;
        Ok(ImportedConversation {
            id: value["id"]
                .as_str()
                .and_then(|id| id.parse().ok())
                .ok_or_else(|| problem("no id"))?,
            title: text("title"),
            selected_repository: text("selected_repository"),
            selected_branch: text("selected_branch"),
            git_provider: text("git_provider"),
            trigger: text("trigger"),
            llm_model: text("llm_model"),
            visibility: value["visibility"]
                .as_str()
                .and_then(|name| Visibility::parse(name).ok()),
            pr_number: value["pr_number"]
                .as_array()
                .map(|numbers| numbers.iter().filter_map(Value::as_i64).collect())
                .unwrap_or_default(),
            accumulated_cost: count("accumulated_cost_micros"),
            prompt_tokens: count("prompt_tokens"),
            completion_tokens: count("completion_tokens"),
            total_tokens: count("total_tokens"),
            execution_status: text("execution_status"),
            created_by: value["created_by"]
                .as_str()
                .and_then(|id| self.members.get(id).cloned()),
            created_at,
            last_updated_at: time(&value["last_updated_at"]).unwrap_or(created_at),
        })
    }

    fn events(&mut self, path: &str, entry: &mut impl Read) -> bool {
        let mut chunk = Vec::with_capacity(EVENT_CHUNK);
        for (number, line) in BufReader::new(entry).lines().enumerate() {
            let parsed = line
                .map_err(|error| error.to_string())
                .and_then(|line| serde_json::from_str::<Value>(&line).map_err(|error| error.to_string()))
                .and_then(|value| {
                    let stored_at = time(&value["timestamp"]);
                    match value {
                        Value::Object(mut fields) => match fields.remove("event") {
                            Some(event @ Value::Object(_)) => Ok(ImportedEvent { event, stored_at }),
                            _ => Err("no event object".to_owned()),
                        },
                        _ => Err("not a JSON object".to_owned()),
                    }
                });
            match parsed {
                Ok(event) => chunk.push(event),
                Err(message) => {
                    let problem = ImportProblem::new(format!("{path}, line {}", number + 1), message);
                    return self.feeder.send(Item::Events(Err(problem)));
                }
            }
            if chunk.len() == EVENT_CHUNK
                && !self.feeder.send(Item::Events(Ok(std::mem::replace(
                    &mut chunk,
                    Vec::with_capacity(EVENT_CHUNK),
                ))))
            {
                return false;
            }
        }
        chunk.is_empty() || self.feeder.send(Item::Events(Ok(chunk)))
    }
}

fn read_value(entry: &mut impl Read) -> Result<Value, String> {
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).map_err(|error| error.to_string())?;
    serde_json::from_slice(&bytes).map_err(|error| format!("not valid JSON: {error}"))
}

/// The org's plain settings (an export has no secrets).
fn settings(org: &Value) -> ImportedSettings {
    let values: Map<String, Value> = org["settings"].as_object().cloned().unwrap_or_default();
    ImportedSettings {
        values,
        llm_api_key: None,
    }
}

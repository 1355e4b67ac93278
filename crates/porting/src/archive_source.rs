//! A Tenantry org export read back in one pass: the org's settings, the members (to keep
//! creators), then each conversation followed by its events with the times they were stored at.

use std::{
    collections::HashMap,
    fs::File,
    io::{BufReader, Read},
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
    read_limits::{
        BoundedLines, EVENT_CHUNK_BYTES, LineError, MAX_DOCUMENT_BYTES, MAX_EVENT_BYTES, MAX_MEMBERS_BYTES,
        read_at_most, too_large,
    },
    source_reading::{refused, time},
    source_thread::{EVENT_CHUNK, Feeder, Item, Preamble},
};

/// The archive's entries, decompressed as they are read.
fn entries(path: &Path) -> Result<tar::Archive<GzDecoder<BufReader<File>>>, ImportProblem> {
    let file = File::open(path)
        .map_err(|error| ImportProblem::new(path.display().to_string(), error.to_string()))?;
    Ok(tar::Archive::new(GzDecoder::new(BufReader::new(file))))
}

/// How much of the entry at `path` the import may read at once: a document whole, a JSON Lines
/// file a line at a time; `None` for entries it passes over.
fn limit_of(path: &str) -> Option<(u64, bool)> {
    if path == layout::MANIFEST || path == layout::ORG || path.ends_with("/conversation.json") {
        Some((MAX_DOCUMENT_BYTES, false))
    } else if path == layout::MEMBERS {
        Some((MAX_MEMBERS_BYTES, false))
    } else if layout::conversation_of(path).is_some() {
        Some((MAX_EVENT_BYTES, true))
    } else {
        None
    }
}

/// A first pass over the whole archive, before anything is imported: only files, and none larger
/// than the import reads (a small archive can expand a thousandfold). Nothing is held: lines are
/// measured as they stream by.
fn check(path: &Path) -> Result<(), ImportProblem> {
    let item = path.display().to_string();
    let problem = |message: String| ImportProblem::new(&item, message);
    let mut archive = entries(path)?;
    for entry in archive.entries().map_err(|error| problem(error.to_string()))? {
        let entry = entry.map_err(|error| problem(format!("unreadable archive: {error}")))?;
        let name = entry
            .path()
            .map_err(|error| problem(format!("unreadable entry name: {error}")))?
            .to_string_lossy()
            .into_owned();
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind.is_dir() || kind.is_pax_global_extensions()) {
            return Err(ImportProblem::new(
                format!("{item}: {name}"),
                "not a regular file (an archive holds no links or devices)",
            ));
        }
        let Some((limit, by_line)) = limit_of(&name) else {
            continue;
        };
        let at = |message: String| ImportProblem::new(format!("{item}: {name}"), message);
        if by_line {
            BoundedLines::new(BufReader::new(entry), limit)
                .check_all()
                .map_err(|error| match error {
                    LineError::TooLong(line) => at(too_large(&format!("line {line}"), limit)),
                    LineError::Io(error) => at(format!("unreadable archive: {error}")),
                })?;
        } else if entry.size() > limit {
            return Err(at(too_large("the file", limit)));
        }
    }
    Ok(())
}

/// Reads the archive at `path` on the calling (reader) thread.
pub fn read(path: &Path, preamble: oneshot::Sender<Result<Preamble, ImportProblem>>, feeder: Feeder) {
    let item = path.display().to_string();
    if let Err(problem) = check(path) {
        let _ = preamble.send(Err(refused(problem)));
        return;
    }
    let mut archive = match entries(path) {
        Ok(archive) => archive,
        Err(problem) => {
            let _ = preamble.send(Err(problem));
            return;
        }
    };
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
            return match read_value(entry, path) {
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
            match read_value(entry, path) {
                Ok(org) => self.settings = Some(settings(&org)),
                Err(message) => {
                    self.fail(message);
                    return false;
                }
            }
        } else if path == layout::MEMBERS {
            let mut lines = BoundedLines::new(BufReader::new(entry), MAX_DOCUMENT_BYTES);
            let (mut line, mut total) = (Vec::new(), 0);
            while let Some(read) = lines.next_line(&mut line) {
                total += line.len() as u64 + 1;
                if read.is_err() || total > MAX_MEMBERS_BYTES + 1 {
                    self.fail(format!("{path}: unreadable, or larger than the import reads"));
                    return false;
                }
                let Ok(member) = serde_json::from_slice::<Value>(&line) else {
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
            let conversation = read_value(entry, path)
                .map_err(|message| ImportProblem::new(&self.item, message))
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
        let mut bytes = 0;
        let mut lines = BoundedLines::new(BufReader::new(entry), MAX_EVENT_BYTES);
        let mut line = Vec::new();
        while let Some(read) = lines.next_line(&mut line) {
            let parsed = read
                .map_err(|error| match error {
                    LineError::TooLong(number) => (number, too_large("the line", MAX_EVENT_BYTES)),
                    LineError::Io(error) => (0, error.to_string()),
                })
                .and_then(|number| {
                    event(&line)
                        .map(|event| (number, event))
                        .map_err(|message| (number, message))
                });
            match parsed {
                Ok((_, event)) => chunk.push(event),
                Err((number, message)) => {
                    let problem = ImportProblem::new(format!("{path}, line {number}"), message);
                    return self.feeder.send(Item::Events(Err(problem)));
                }
            }
            bytes += line.len() as u64;
            if (chunk.len() == EVENT_CHUNK || bytes >= EVENT_CHUNK_BYTES)
                && !self.feeder.send(Item::Events(Ok(std::mem::take(&mut chunk))))
            {
                return false;
            }
            if chunk.is_empty() {
                bytes = 0;
            }
        }
        chunk.is_empty() || self.feeder.send(Item::Events(Ok(chunk)))
    }
}

/// One line of `events.jsonl`: `{id, timestamp, event}`.
fn event(line: &[u8]) -> Result<ImportedEvent, String> {
    let value = serde_json::from_slice::<Value>(line).map_err(|error| error.to_string())?;
    let stored_at = time(&value["timestamp"]);
    match value {
        Value::Object(mut fields) => match fields.remove("event") {
            Some(event @ Value::Object(_)) => Ok(ImportedEvent { event, stored_at }),
            _ => Err("no event object".to_owned()),
        },
        _ => Err("not a JSON object".to_owned()),
    }
}

fn read_value(entry: &mut impl Read, path: &str) -> Result<Value, String> {
    let bytes = read_at_most(entry, MAX_DOCUMENT_BYTES, path)?;
    serde_json::from_slice(&bytes).map_err(|error| format!("{path}: not valid JSON: {error}"))
}

/// The org's plain settings (an export has no secrets).
fn settings(org: &Value) -> ImportedSettings {
    let values: Map<String, Value> = org["settings"].as_object().cloned().unwrap_or_default();
    ImportedSettings {
        values,
        llm_api_key: None,
    }
}

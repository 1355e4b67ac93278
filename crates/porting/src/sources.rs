//! Which kind of store a path holds, and what the readers share.

use std::{
    fs,
    path::{Path, PathBuf},
};

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;
use tenantry_domain::{
    import::{ImportProblem, ImportedEvent},
    ports::ImportSource,
};

use crate::{
    agent_server_store, archive_source, file_store,
    source_thread::{self, EVENT_CHUNK, Feeder, Item},
};

/// The kinds of store `tenantry import openhands` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A Tenantry org export (`.tar.gz`).
    TenantryArchive,
    /// An agent server's persistence directory.
    AgentServer,
    /// A single-user OpenHands file store.
    FileStore,
}

impl SourceKind {
    /// What it is called in messages.
    pub const fn name(self) -> &'static str {
        match self {
            SourceKind::TenantryArchive => "Tenantry archive",
            SourceKind::AgentServer => "agent server persistence directory",
            SourceKind::FileStore => "OpenHands file store",
        }
    }

    /// The kind of store at `path`, if it is one.
    pub fn detect(path: &Path) -> Option<Self> {
        if path.is_file() {
            return Some(SourceKind::TenantryArchive);
        }
        if file_store::recognizes(path) {
            return Some(SourceKind::FileStore);
        }
        agent_server_store::recognizes(path).then_some(SourceKind::AgentServer)
    }
}

/// Opens the store at `path` (`secret_key`: the agent server's `OH_SECRET_KEY`, to decrypt its
/// secrets). Reading happens on a thread of its own as the import asks for more.
pub async fn open_source(
    path: &Path,
    secret_key: Option<String>,
) -> Result<(SourceKind, Box<dyn ImportSource>), ImportProblem> {
    let kind = SourceKind::detect(path).ok_or_else(|| {
        ImportProblem::new(
            path.display().to_string(),
            "neither a Tenantry archive, an agent server's conversations directory, nor an OpenHands file store",
        )
    })?;
    let path: PathBuf = path.to_owned();
    let source = source_thread::spawn(move |preamble, feeder| match kind {
        SourceKind::TenantryArchive => archive_source::read(&path, preamble, feeder),
        SourceKind::AgentServer => agent_server_store::read(&path, secret_key.as_deref(), preamble, feeder),
        SourceKind::FileStore => file_store::read(&path, preamble, feeder),
    })
    .await?;
    Ok((kind, Box::new(source)))
}

/// A JSON file, or a problem naming it.
pub fn read_json(path: &Path) -> Result<Value, ImportProblem> {
    let problem = |message: String| ImportProblem::new(path.display().to_string(), message);
    let bytes = fs::read(path).map_err(|error| problem(error.to_string()))?;
    serde_json::from_slice(&bytes).map_err(|error| problem(format!("not valid JSON: {error}")))
}

/// A time as OpenHands writes them: RFC 3339, or without an offset (taken as UTC).
pub fn time(value: &Value) -> Option<DateTime<Utc>> {
    let text = value.as_str()?;
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|naive| naive.and_utc())
        })
}

/// Sends the event files in `dir`, ordered by the index `index_of` reads from their names, in
/// chunks; `false` when the import stopped listening.
pub fn send_event_files(dir: &Path, index_of: fn(&str) -> Option<u64>, feeder: &Feeder) -> bool {
    let mut files: Vec<(u64, PathBuf)> = match fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter_map(|entry| Some((index_of(entry.file_name().to_str()?)?, entry.path())))
            .collect(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(error) => {
            let problem = ImportProblem::new(dir.display().to_string(), error.to_string());
            return feeder.send(Item::Events(Err(problem)));
        }
    };
    files.sort();
    for chunk in files.chunks(EVENT_CHUNK) {
        let mut events = Vec::with_capacity(chunk.len());
        for (_, path) in chunk {
            match read_json(path) {
                Ok(event) => events.push(ImportedEvent {
                    event,
                    stored_at: None,
                }),
                Err(problem) => return feeder.send(Item::Events(Err(problem))),
            }
        }
        if !feeder.send(Item::Events(Ok(events))) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::time;

    #[test]
    fn times_with_and_without_offsets() {
        let with = time(&json!("2025-10-12T14:05:02.118230Z")).unwrap();
        let without = time(&json!("2025-10-12T14:05:02.118230")).unwrap();
        assert_eq!(with, without);
        assert!(time(&json!("yesterday")).is_none());
    }
}

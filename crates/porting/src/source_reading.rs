//! What the readers of every kind of store share: refusals, OpenHands' times, and event files sent
//! in bounded chunks.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;
use tenantry_domain::import::{ImportProblem, ImportedEvent};

use crate::{
    confined_files,
    read_limits::{EVENT_CHUNK_BYTES, MAX_EVENT_BYTES},
    source_thread::{EVENT_CHUNK, Feeder, Item},
};

/// A source refused before anything was read from it.
pub fn refused(problem: ImportProblem) -> ImportProblem {
    ImportProblem::new(problem.item, format!("{}; nothing was imported", problem.message))
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

/// The event files in `dir` (absent: none), ordered by the index `index_of` reads from their
/// names, each checked (no link, not larger than an event may be).
pub fn event_files(
    dir: &Path,
    index_of: fn(&str) -> Option<u64>,
) -> Result<Vec<(u64, PathBuf, u64)>, ImportProblem> {
    let mut files = Vec::new();
    for (name, path) in confined_files::list(dir)? {
        if let Some(index) = index_of(&name) {
            let size = confined_files::check_file(&path, MAX_EVENT_BYTES)?;
            files.push((index, path, size.unwrap_or(0)));
        }
    }
    files.sort();
    Ok(files)
}

/// Sends the event files in `dir`, ordered by the index `index_of` reads from their names, in
/// chunks bounded in count and bytes; `false` when the import stopped listening.
pub fn send_event_files(dir: &Path, index_of: fn(&str) -> Option<u64>, feeder: &Feeder) -> bool {
    let files = match event_files(dir, index_of) {
        Ok(files) => files,
        Err(problem) => return feeder.send(Item::Events(Err(problem))),
    };
    let mut events = Vec::with_capacity(EVENT_CHUNK.min(files.len()));
    let mut bytes = 0;
    for (_, path, size) in files {
        match confined_files::read_json(&path, MAX_EVENT_BYTES) {
            Ok(event) => events.push(ImportedEvent {
                event,
                stored_at: None,
            }),
            Err(problem) => return feeder.send(Item::Events(Err(problem))),
        }
        bytes += size;
        if (events.len() == EVENT_CHUNK || bytes >= EVENT_CHUNK_BYTES)
            && !feeder.send(Item::Events(Ok(std::mem::take(&mut events))))
        {
            return false;
        }
        if events.is_empty() {
            bytes = 0;
        }
    }
    events.is_empty() || feeder.send(Item::Events(Ok(events)))
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

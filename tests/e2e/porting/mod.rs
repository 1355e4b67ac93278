//! Moving in and out: `tenantry import openhands` from an agent server's persistence directory,
//! a single-user OpenHands file store and Tenantry's own export; `GET /api/orgs/{org}/export`.

mod export_round_trip;
mod import_agent_server;
mod import_bomb;
mod import_crash;
mod import_file_store;
mod import_links;

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{Session, TestApp};

pub const PASSWORD: &str = "correct horse battery staple";

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

/// Copies a fixture directory (tests change their copies).
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let copy = tempfile::tempdir().expect("temp dir");
    copy_dir(&fixture(name), copy.path());
    copy
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Every conversation of the org, as listed, by id.
pub async fn listing(app: &TestApp, session: &Session, org: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut query = "limit=100".to_owned();
    loop {
        let (status, page) = app.api(&session.access_token).conversations(org, &query).await;
        assert_eq!(status, 200, "{page}");
        items.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("limit=100&cursor={cursor}"),
            None => return items,
        }
    }
}

/// Every event of a conversation.
pub async fn all_events(app: &TestApp, session: &Session, org: &str, id: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut start = 0;
    loop {
        let (status, page) = app
            .api(&session.access_token)
            .events(org, id, &format!("start_id={start}&limit=1000"))
            .await;
        assert_eq!(status, 200, "{page}");
        events.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_start_id"].as_i64() {
            Some(next) => start = next,
            None => return events,
        }
    }
}

//! An org exported over HTTP (owner only, streamed) and from the command line, then imported into
//! a fresh install: the same listing and the same event logs.

use std::{collections::BTreeMap, io::Read};

use flate2::read::GzDecoder;
use serde_json::{Value, json};

use super::{PASSWORD, all_events, listing};
use crate::support::spawn_app;

/// The archive's files by path.
fn entries(archive: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut tar = tar::Archive::new(GzDecoder::new(archive));
    for entry in tar.entries().expect("entries") {
        let mut entry = entry.expect("entry");
        let path = entry.path().expect("path").to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("read");
        files.insert(path, bytes);
    }
    files
}

fn lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|line| serde_json::from_str(line).expect("json line"))
        .collect()
}

#[tokio::test]
async fn an_exported_org_imports_into_a_fresh_install_with_identical_listings_and_event_logs() {
    let app = spawn_app().await;
    let owner = app.register("owner@example.com", PASSWORD).await;
    let admin = app.register("admin@example.com", PASSWORD).await;
    let (_, org) = app
        .api(&owner.access_token)
        .create_org(json!({ "name": "Leaving" }))
        .await;
    let org = org["id"].as_str().expect("org").to_owned();
    let (status, _) = app
        .api(&owner.access_token)
        .add_member(&org, json!({ "email": "admin@example.com", "role": "admin" }))
        .await;
    assert!((200..300).contains(&status));
    let (status, _) = app
        .api(&owner.access_token)
        .update_org_settings(
            &org,
            json!({ "llm_model": "openai/gpt-5", "llm_api_key": "sk-never-exported" }),
        )
        .await;
    assert_eq!(status, 200);
    for n in 0..4 {
        let creator = if n % 2 == 0 { &owner } else { &admin };
        let (status, created) = app
            .api(&creator.access_token)
            .create_conversation(
                &org,
                json!({ "title": format!("task {n}"), "visibility": if n == 3 { "private" } else { "org" } }),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        let id = created["id"].as_str().expect("id").to_owned();
        for batch in 0..(n + 1) {
            let events: Vec<Value> = (0..(300 * n + 7))
                .map(|k| json!({ "kind": "message", "batch": batch, "k": k, "text": "ü ✓" }))
                .take(1000)
                .collect();
            let (status, body) = app
                .api(&creator.access_token)
                .append_events(&org, &id, json!(events))
                .await;
            assert_eq!(status, 201, "{body}");
        }
        let (status, _) = app
            .api(&creator.access_token)
            .add_usage(
                &org,
                &id,
                json!({ "prompt_tokens": 100 * n, "completion_tokens": 10, "cost": 0.25 }),
            )
            .await;
        assert_eq!(status, 200);
    }

    // Only the owner exports; others get the usual problem documents.
    let response = app
        .get_as(&admin.access_token, &format!("/api/orgs/{org}/export"))
        .await;
    assert_eq!(response.status(), 403);
    let stranger = app.register("stranger@example.com", PASSWORD).await;
    let response = app
        .get_as(&stranger.access_token, &format!("/api/orgs/{org}/export"))
        .await;
    assert_eq!(response.status(), 404);
    let response = app
        .get_as(&owner.access_token, &format!("/api/orgs/{org}/export"))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/gzip");
    let archive = response.bytes().await.expect("archive").to_vec();
    let files = entries(&archive);
    assert!(!String::from_utf8_lossy(&archive).contains("sk-never-exported"));
    assert!(
        files
            .values()
            .all(|bytes| !String::from_utf8_lossy(bytes).contains("sk-never-exported")),
        "no secrets"
    );
    let org_json: Value = serde_json::from_slice(&files["tenantry-export/org.json"]).expect("org");
    assert_eq!(org_json["settings"]["llm_model"], "openai/gpt-5");
    assert_eq!(lines(&files["tenantry-export/members.jsonl"]).len(), 2);
    assert_eq!(lines(&files["tenantry-export/conversations.jsonl"]).len(), 4);
    assert!(!lines(&files["tenantry-export/audit.jsonl"]).is_empty());

    // The command line writes the same data.
    let offline = app.cli(&["export", "--org", &org], &[]);
    assert!(offline.ok, "{}", offline.text);
    let offline = entries(&offline.stdout);
    let paths = |files: &BTreeMap<String, Vec<u8>>| files.keys().cloned().collect::<Vec<_>>();
    assert_eq!(paths(&offline), paths(&files));
    for (path, bytes) in &files {
        if path.ends_with("events.jsonl") || path.ends_with("conversations.jsonl") {
            assert_eq!(&offline[path], bytes, "{path}");
        }
    }

    // A fresh install, where the owner has an account again.
    let fresh = spawn_app().await;
    let newcomer = fresh.register("owner@example.com", PASSWORD).await;
    let archive_file = tempfile::NamedTempFile::with_suffix(".tar.gz").expect("file");
    std::fs::write(archive_file.path(), &archive).expect("write");
    let path = archive_file.path().to_str().expect("path");
    let imported = fresh.cli(&["import", "openhands", "--user", "owner@example.com", path], &[]);
    assert!(imported.ok, "{}", imported.text);
    assert!(imported.text.contains("4 created"), "{}", imported.text);

    let before = listing(&app, &owner, &org).await;
    let after = listing(&fresh, &newcomer, &newcomer.org_id).await;
    let comparable = |items: &[Value]| -> Vec<Value> {
        items
            .iter()
            .map(|item| {
                let mut item = item.clone();
                let object = item.as_object_mut().expect("object");
                for field in ["org_id", "created_by", "sandbox_id"] {
                    object.remove(field);
                }
                item
            })
            .collect()
    };
    assert_eq!(
        comparable(&after),
        comparable(&before),
        "the same listing, in the same order"
    );
    for conversation in &before {
        let id = conversation["id"].as_str().expect("id");
        assert_eq!(
            all_events(&fresh, &newcomer, &newcomer.org_id, id).await,
            all_events(&app, &owner, &org, id).await,
            "the same event log (ids, times, events)"
        );
    }
    let (_, settings) = fresh
        .api(&newcomer.access_token)
        .org_settings(&newcomer.org_id)
        .await;
    assert_eq!(settings["llm_model"], "openai/gpt-5");
    assert_eq!(settings["llm_api_key_set"], false, "secrets are not in an export");

    let again = fresh.cli(&["import", "openhands", "--user", "owner@example.com", path], &[]);
    assert!(
        again.text.contains("0 created, 0 resumed, 4 already complete"),
        "{}",
        again.text
    );
}

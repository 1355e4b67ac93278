//! A real agent server's persistence directory (recorded by `scripts/make-agent-store-fixture.py`
//! from openhands-agent-server 1.58.0), imported once, resumed, and with its encrypted secrets.

use std::path::Path;

use serde_json::Value;

use super::{PASSWORD, all_events, copy_fixture, fixture, listing};
use crate::support::spawn_app;

fn secret_key() -> String {
    std::fs::read_to_string(fixture("agent-server-store/secret_key.txt"))
        .expect("key")
        .trim()
        .to_owned()
}

/// A conversation's event files, in index order.
fn event_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("events"))
        .expect("events")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("event-"))
        })
        .collect();
    files.sort();
    files
}

/// The fixture's events of a conversation, in index order.
fn source_events(dir: &Path) -> Vec<Value> {
    event_files(dir)
        .iter()
        .map(|path| serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json"))
        .collect()
}

#[tokio::test]
async fn an_agent_server_store_is_imported_once_and_resumed_where_it_stopped() {
    let app = spawn_app().await;
    let user = app.register("mover@example.com", PASSWORD).await;
    let store = copy_fixture("agent-server-store");
    let conversations = store.path().join("conversations");
    let mut dirs: Vec<_> = std::fs::read_dir(&conversations)
        .expect("dirs")
        .map(|entry| entry.expect("entry").path())
        .collect();
    dirs.sort();
    // Half of the first conversation's events are "not yet there": the run that stops half-way.
    let first = &dirs[0];
    let mut held_back = Vec::new();
    let files = event_files(first);
    let later = tempfile::tempdir().expect("later");
    for path in files.iter().skip(6) {
        let target = later.path().join(path.file_name().expect("name"));
        std::fs::rename(path, &target).expect("hold back");
        held_back.push((target, path.clone()));
    }

    let path = conversations.to_str().expect("path");
    let dry = app.cli(
        &[
            "import",
            "openhands",
            "--user",
            "mover@example.com",
            "--dry-run",
            path,
        ],
        &[],
    );
    assert!(dry.text.contains("2 created"), "{}", dry.text);
    assert!(
        listing(&app, &user, &user.org_id).await.is_empty(),
        "a dry run writes nothing"
    );

    // Without the agent server's key its encrypted LLM key and secret are reported, not guessed.
    let run = app.cli(&["import", "openhands", "--user", "mover@example.com", path], &[]);
    assert!(!run.ok, "{}", run.text);
    assert!(run.text.contains("OH_SECRET_KEY"), "{}", run.text);
    assert!(run.text.contains("2 created"), "{}", run.text);
    assert!(!run.text.contains("fixture-token-value") && !run.text.contains("sk-fixture"));
    let listed = listing(&app, &user, &user.org_id).await;
    assert_eq!(listed.len(), 2);
    let first_id = uuid::Uuid::parse_str(&first.file_name().unwrap().to_string_lossy())
        .expect("id")
        .to_string();
    let (_, partial) = app
        .api(&user.access_token)
        .conversation(&user.org_id, &first_id)
        .await;
    assert_eq!(partial["event_count"], 6);

    for (from, to) in &held_back {
        std::fs::rename(from, to).expect("restore");
    }
    let key = secret_key();
    let wrong = app.cli(
        &[
            "import",
            "openhands",
            "--user",
            "mover@example.com",
            "--dry-run",
            "--secret-key",
            "not-the-key",
            path,
        ],
        &[],
    );
    assert!(wrong.text.contains("does not decrypt"), "{}", wrong.text);
    let resumed = app.cli(
        &["import", "openhands", "--user", "mover@example.com", path],
        &[("OH_SECRET_KEY", &key)],
    );
    assert!(resumed.ok, "{}", resumed.text);
    assert!(
        resumed.text.contains("0 created, 1 resumed, 1 already complete"),
        "{}",
        resumed.text
    );

    for dir in &dirs {
        let id = uuid::Uuid::parse_str(&dir.file_name().unwrap().to_string_lossy())
            .expect("id")
            .to_string();
        let meta: Value =
            serde_json::from_slice(&std::fs::read(dir.join("meta.json")).expect("meta")).expect("json");
        let (status, conversation) = app.api(&user.access_token).conversation(&user.org_id, &id).await;
        assert_eq!(status, 200, "{conversation}");
        assert_eq!(conversation["title"], meta["title"]);
        assert_eq!(conversation["llm_model"], "openai/fake");
        assert_eq!(conversation["execution_status"], "finished");
        assert_eq!(conversation["created_by"], user.user_id.as_str());
        assert_eq!(conversation["prompt_tokens"], 240);
        assert_eq!(conversation["completion_tokens"], 16);
        assert!((conversation["accumulated_cost"].as_f64().unwrap() - 0.00096).abs() < 1e-9);
        let events: Vec<Value> = all_events(&app, &user, &user.org_id, &id)
            .await
            .into_iter()
            .map(|item| item["event"].clone())
            .collect();
        assert_eq!(
            events,
            source_events(dir),
            "every event, in order, as the agent server wrote it"
        );
        let (_, secrets) = app
            .api(&user.access_token)
            .runtime_secrets(&user.org_id, &id)
            .await;
        assert_eq!(
            secrets["secrets"]["FIXTURE_TOKEN"], "fixture-token-value",
            "decrypted with OH_SECRET_KEY"
        );
    }
    let (_, settings) = app.api(&user.access_token).org_settings(&user.org_id).await;
    assert_eq!(settings["llm_model"], "openai/fake");
    assert_eq!(settings["max_iterations"], 5);
    assert_eq!(settings["confirmation_mode"], false);
    assert_eq!(settings["llm_api_key_set"], true);

    let again = app.cli(
        &["import", "openhands", "--user", "mover@example.com", path],
        &[("OH_SECRET_KEY", &key)],
    );
    assert!(again.ok, "{}", again.text);
    assert!(
        again.text.contains("0 created, 0 resumed, 2 already complete"),
        "{}",
        again.text
    );
    assert!(again.text.contains("events: 0 "), "{}", again.text);
    let (_, conversation) = app
        .api(&user.access_token)
        .conversation(&user.org_id, &first_id)
        .await;
    assert_eq!(conversation["event_count"], 14, "nothing imported twice");
}

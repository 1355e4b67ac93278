//! A single-user OpenHands file store, written by OpenHands' own storage code
//! (`scripts/make-file-store-fixture.py`, openhands-ai 0.59.0).

use serde_json::json;

use super::{PASSWORD, all_events, fixture, listing};
use crate::support::spawn_app;

#[tokio::test]
async fn a_file_store_brings_settings_secrets_and_conversations_and_reports_what_it_cannot_read() {
    let app = spawn_app().await;
    let user = app.register("single@example.com", PASSWORD).await;
    let (_, org) = app
        .api(&user.access_token)
        .create_org(json!({ "name": "Imported" }))
        .await;
    let org = org["id"].as_str().expect("org").to_owned();
    let store = fixture("openhands-file-store");
    let path = store.to_str().expect("path");

    let run = app.cli(
        &[
            "import",
            "openhands",
            "--user",
            "single@example.com",
            "--org",
            &org,
            path,
        ],
        &[],
    );
    assert!(!run.ok, "one session cannot be read: {}", run.text);
    assert!(
        run.text.contains("0badc0de") && run.text.contains("no created_at"),
        "{}",
        run.text
    );
    assert!(run.text.contains("1 created"), "{}", run.text);
    assert!(!run.text.contains("sk-ant-fixture-key") && !run.text.contains("ghp_fixture"));

    let listed = listing(&app, &user, &org).await;
    assert_eq!(listed.len(), 1);
    let conversation = &listed[0];
    assert_eq!(conversation["id"], "3f2a9c1e-8b7d-4e6f-a0b1-c2d3e4f5a6b7");
    assert_eq!(conversation["title"], "List repo files");
    assert_eq!(conversation["selected_repository"], "octo/hello");
    assert_eq!(conversation["selected_branch"], "main");
    assert_eq!(conversation["trigger"], "gui");
    assert_eq!(conversation["pr_number"], json!([7]));
    assert_eq!(conversation["total_tokens"], 3580);
    assert_eq!(conversation["created_at"], "2025-10-12T14:03:10.000000Z");
    assert_eq!(conversation["last_updated_at"], "2025-10-12T14:05:02.000000Z");
    let events = all_events(&app, &user, &org, "3f2a9c1e-8b7d-4e6f-a0b1-c2d3e4f5a6b7").await;
    let kinds: Vec<(i64, String)> = events
        .iter()
        .map(|item| {
            let event = &item["event"];
            let kind = event["action"]
                .as_str()
                .or(event["observation"].as_str())
                .unwrap_or("?");
            (event["id"].as_i64().expect("source id"), kind.to_owned())
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (0, "message".to_owned()),
            (1, "agent_state_changed".to_owned()),
            (2, "run".to_owned()),
            (3, "run".to_owned()),
            (4, "message".to_owned()),
            (5, "agent_state_changed".to_owned()),
        ]
    );
    assert!(
        events.iter().enumerate().all(|(n, item)| item["id"] == n as i64),
        "dense ids"
    );

    let (_, settings) = app.api(&user.access_token).org_settings(&org).await;
    assert_eq!(settings["llm_model"], "anthropic/claude-sonnet-4-20250514");
    assert_eq!(settings["llm_base_url"], "https://llm.example.com/v1");
    assert_eq!(settings["max_iterations"], 40);
    assert_eq!(settings["security_analyzer"], "llm");
    assert_eq!(settings["llm_api_key_set"], true);
    let (_, secrets) = app
        .api(&user.access_token)
        .runtime_secrets(&org, "3f2a9c1e-8b7d-4e6f-a0b1-c2d3e4f5a6b7")
        .await;
    assert_eq!(
        secrets["secrets"],
        json!({ "MY_API_KEY": "abc123", "GITHUB_TOKEN": "ghp_fixture" })
    );
    // The org changes its model; a second import keeps the org's choice and adds nothing.
    let (status, _) = app
        .api(&user.access_token)
        .update_org_settings(&org, json!({ "llm_model": "openai/gpt-5" }))
        .await;
    assert_eq!(status, 200);
    let again = app.cli(
        &[
            "import",
            "openhands",
            "--user",
            "single@example.com",
            "--org",
            &org,
            path,
        ],
        &[],
    );
    assert!(
        again.text.contains("0 created, 0 resumed, 1 already complete"),
        "{}",
        again.text
    );
    let (_, settings) = app.api(&user.access_token).org_settings(&org).await;
    assert_eq!(settings["llm_model"], "openai/gpt-5");
    assert_eq!(listing(&app, &user, &org).await.len(), 1);
}

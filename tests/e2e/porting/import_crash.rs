//! An import killed half-way (SIGKILL) and run again: every event exactly once, in order.

use std::{path::Path, process::Stdio, time::Duration};

use serde_json::json;

use super::{PASSWORD, all_events, listing};
use crate::support::spawn_app;

const CONVERSATIONS: usize = 40;
const EVENTS: usize = 500;

fn write_store(root: &Path) {
    for c in 0..CONVERSATIONS {
        let sid = format!("{:032x}", c + 1);
        let dir = root.join("sessions").join(&sid);
        std::fs::create_dir_all(dir.join("events")).expect("mkdir");
        let metadata =
            json!({ "conversation_id": sid, "title": format!("c{c}"), "created_at": "2025-10-12T14:03:10Z" });
        std::fs::write(dir.join("metadata.json"), metadata.to_string()).expect("metadata");
        for n in 0..EVENTS {
            let event = json!({ "id": n, "source": "agent", "action": "message", "args": { "content": format!("{c}/{n}") } });
            std::fs::write(dir.join("events").join(format!("{n}.json")), event.to_string()).expect("event");
        }
    }
}

#[tokio::test]
async fn an_import_killed_half_way_goes_on_where_it_stopped() {
    let app = spawn_app().await;
    let user = app.register("crash@example.com", PASSWORD).await;
    let store = tempfile::tempdir().expect("store");
    write_store(store.path());
    let path = store.path().to_str().expect("path");
    let args = ["import", "openhands", "--user", "crash@example.com", path];

    let mut child = app
        .cli_command(&args, &[])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the import");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let created = app.query_i64("SELECT COUNT(*) FROM conversations").await;
        if created >= 3 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the import did not start");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().expect("kill");
    child.wait().expect("wait");
    let stored = app
        .query_i64("SELECT CAST(COALESCE(SUM(event_count), 0) AS BIGINT) FROM conversations")
        .await;
    assert!(
        stored < (CONVERSATIONS * EVENTS) as i64,
        "killed before the end ({stored} events stored)"
    );

    let run = app.cli(&args, &[]);
    assert!(run.ok, "{}", run.text);
    assert_every_event_once(&app, &user).await;
    let again = app.cli(&args, &[]);
    assert!(
        again
            .text
            .contains(&format!("0 created, 0 resumed, {CONVERSATIONS} already complete")),
        "{}",
        again.text
    );
}

#[tokio::test]
async fn two_imports_of_one_store_at_once_store_each_event_once() {
    let app = spawn_app().await;
    let user = app.register("twice@example.com", PASSWORD).await;
    let store = tempfile::tempdir().expect("store");
    write_store(store.path());
    let path = store.path().to_str().expect("path");
    let args = ["import", "openhands", "--user", "twice@example.com", path];
    let children: Vec<_> = (0..2)
        .map(|_| {
            app.cli_command(&args, &[])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start an import")
        })
        .collect();
    for mut child in children {
        child.wait().expect("wait");
    }
    // Whatever one of them gave up on (it reports it), a later run completes.
    let run = app.cli(&args, &[]);
    assert!(run.ok, "{}", run.text);
    assert_every_event_once(&app, &user).await;
}

async fn assert_every_event_once(app: &crate::support::TestApp, user: &crate::support::Session) {
    let listed = listing(app, user, &user.org_id).await;
    assert_eq!(listed.len(), CONVERSATIONS);
    for conversation in &listed {
        let id = conversation["id"].as_str().expect("id");
        let title = conversation["title"].as_str().expect("title");
        let events = all_events(app, user, &user.org_id, id).await;
        let contents: Vec<String> = events
            .iter()
            .map(|item| {
                item["event"]["args"]["content"]
                    .as_str()
                    .expect("content")
                    .to_owned()
            })
            .collect();
        let expected: Vec<String> = (0..EVENTS).map(|n| format!("{}/{n}", &title[1..])).collect();
        assert_eq!(contents, expected, "{title}: every event once, in order");
    }
}

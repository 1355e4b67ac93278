//! A store holding a symbolic link that leads out of it (to a key ring, say) is refused whole:
//! the command names the link and nothing of the store is imported, not even what came before it.

use std::os::unix::fs::symlink;

use serde_json::json;

use super::{PASSWORD, copy_fixture, listing};
use crate::support::spawn_app;

const HOST_SECRET: &str = "host-key-ring-material-7f3a";

#[tokio::test]
async fn a_store_with_a_link_leading_out_of_it_is_refused_and_nothing_is_imported() {
    let app = spawn_app().await;
    let user = app.register("linked@example.com", PASSWORD).await;
    // A file of this host outside the store, shaped like an event so that following the link
    // would store it as one.
    let host = tempfile::tempdir().expect("host dir");
    let key_ring = host.path().join("keyring.json");
    let secret_event =
        json!({ "id": 0, "source": "agent", "action": "message", "args": { "content": HOST_SECRET } });
    std::fs::write(&key_ring, secret_event.to_string()).expect("key ring");

    // A file store whose first event is a link to it.
    let store = copy_fixture("openhands-file-store");
    let linked = store
        .path()
        .join("sessions/3f2a9c1e8b7d4e6fa0b1c2d3e4f5a6b7/events/0.json");
    std::fs::remove_file(&linked).expect("remove");
    symlink(&key_ring, &linked).expect("link");
    let path = store.path().to_str().expect("path");
    for dry_run in [true, false] {
        let mut args = vec!["import", "openhands", "--user", "linked@example.com"];
        if dry_run {
            args.push("--dry-run");
        }
        args.push(path);
        let run = app.cli(&args, &[]);
        assert!(!run.ok, "{}", run.text);
        assert!(
            run.text.contains(&linked.display().to_string())
                && run.text.contains("symbolic link")
                && run.text.contains("nothing was imported"),
            "names the link and says why: {}",
            run.text
        );
        assert!(!run.text.contains(HOST_SECRET), "{}", run.text);
        assert!(!run.text.contains("created"), "no import began: {}", run.text);
    }
    assert!(listing(&app, &user, &user.org_id).await.is_empty());
    assert_eq!(app.query_i64("SELECT COUNT(*) FROM conversations").await, 0);
    let (_, settings) = app.api(&user.access_token).org_settings(&user.org_id).await;
    assert!(
        settings["llm_model"].is_null() && settings["llm_api_key_set"] == false,
        "the store's settings, read before its sessions, are not imported either: {settings}"
    );

    // An agent server store with a conversation directory linked in from elsewhere.
    let store = copy_fixture("agent-server-store");
    let conversations = store.path().join("conversations");
    let moved = host.path().join("elsewhere");
    let linked_dir = conversations.join("ca2da24471cc41388e1eb0c3f7139435");
    std::fs::rename(&linked_dir, &moved).expect("move out");
    symlink(&moved, &linked_dir).expect("link");
    let run = app.cli(
        &[
            "import",
            "openhands",
            "--user",
            "linked@example.com",
            conversations.to_str().expect("path"),
        ],
        &[],
    );
    assert!(!run.ok, "{}", run.text);
    assert!(
        run.text.contains(&linked_dir.display().to_string()) && run.text.contains("symbolic link"),
        "{}",
        run.text
    );
    assert!(listing(&app, &user, &user.org_id).await.is_empty());

    // The same store without links imports as before.
    std::fs::remove_file(&linked_dir).expect("unlink");
    std::fs::rename(&moved, &linked_dir).expect("move back");
    let run = app.cli(
        &[
            "import",
            "openhands",
            "--user",
            "linked@example.com",
            conversations.to_str().expect("path"),
        ],
        &[],
    );
    assert!(run.text.contains("2 created"), "{}", run.text);
    assert_eq!(listing(&app, &user, &user.org_id).await.len(), 2);
}

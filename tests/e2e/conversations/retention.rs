//! Conversations idle beyond the org's `conversation_expiration` are deleted in the background.

use std::time::Duration;

use serde_json::json;

use super::create_conversation;
use crate::support::{Cast, spawn_app_with};

#[tokio::test]
async fn idle_conversations_expire_in_the_background_audited() {
    let app = spawn_app_with(|config| config.storage.retention_interval_secs = 1).await;
    let cast = Cast::assemble(&app, "retention", "Retention Co").await;
    let (owner, dev) = (&cast.owner.access_token, &cast.developer.access_token);
    let (status, body) = app
        .api(owner)
        .update_org_settings(&cast.org, json!({ "conversation_expiration": 30 }))
        .await;
    assert_eq!(status, 200, "{body}");
    let old = create_conversation(&app, dev, &cast.org, json!({ "title": "stale work" })).await;
    let recent = create_conversation(&app, dev, &cast.org, json!({ "title": "fresh work" })).await;
    let (status, _) = app
        .api(dev)
        .append_events(&cast.org, &old, json!([{ "kind": "a" }]))
        .await;
    assert_eq!(status, 201);
    // As if nothing had happened to it for years.
    let aged = app
        .execute_sql(
            "UPDATE conversations SET last_updated_at = '2020-01-01T00:00:00Z' WHERE title = 'stale work'",
        )
        .await;
    assert_eq!(aged, 1);

    let mut expired = false;
    for _ in 0..100 {
        if app.api(dev).conversation(&cast.org, &old).await.0 == 404 {
            expired = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(expired, "the idle conversation was deleted");
    assert_eq!(app.api(dev).conversation(&cast.org, &recent).await.0, 200);
    let (_, log) = app.api(owner).audit_log(&cast.org).await;
    let entry = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|entry| entry["action"] == "conversation.expired")
        .cloned()
        .expect("an audit entry");
    assert_eq!(entry["target_id"], old);
}

//! Streams through share links count against the links' creator: sharing one's own conversations
//! opens no way around the per-user stream bound.

use std::time::Duration;

use serde_json::json;

use super::PASSWORD;
use crate::{
    conversations::create_conversation,
    support::{TestApp, spawn_app_with},
};

/// Shares a new conversation of `token`'s in `org`; the shared stream's path.
async fn shared_stream_path(app: &TestApp, token: &str, org: &str) -> String {
    let id = create_conversation(app, token, org, json!({})).await;
    let (status, share) = app.api(token).share(org, &id, json!({})).await;
    assert_eq!(status, 201, "{share}");
    format!(
        "/api/shared/{}/events/stream",
        share["token"].as_str().expect("token")
    )
}

#[tokio::test]
async fn streams_through_share_links_count_against_the_links_creator() {
    let app = spawn_app_with(|config| {
        config.streams.max_per_user = 2;
        config.streams.max_per_shared_conversation = 2;
        config.streams.max_shared_per_creator = 3;
        config.streams.heartbeat_secs = 1;
    })
    .await;
    let ann = app.register("streams.ann@example.com", PASSWORD).await;
    let token = ann.access_token.as_str();
    let org = ann.org_id.as_str();
    let own = create_conversation(&app, token, org, json!({})).await;
    let mut open = Vec::new();
    for n in 1..=2 {
        let response = app.api(token).open_stream(org, &own, "", None).await;
        assert_eq!(response.status(), 200, "own stream {n}");
        open.push(response);
    }
    let refused = app.api(token).open_stream(org, &own, "", None).await;
    assert_eq!(refused.status(), 429, "the per-user bound");

    let shared: Vec<String> = {
        let mut paths = Vec::new();
        for _ in 0..3 {
            paths.push(shared_stream_path(&app, token, org).await);
        }
        paths
    };
    for n in 1..=2 {
        let response = app.get(&shared[0]).await;
        assert_eq!(response.status(), 200, "first shared conversation, stream {n}");
        open.push(response);
    }
    assert_eq!(
        app.get(&shared[0]).await.status(),
        429,
        "the shared conversation's own bound"
    );
    let third = app.get(&shared[1]).await;
    assert_eq!(third.status(), 200, "the creator's third shared stream");
    open.push(third);
    // The second conversation has a slot of its own left, but its creator has none.
    let refused = app.get(&shared[1]).await;
    assert_eq!(refused.status(), 429, "the creator's bound holds across links");
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(app.get(&shared[2]).await.status(), 429);

    // Another member's shares are counted apart.
    let bob = app.register("streams.bob@example.com", PASSWORD).await;
    let bobs = shared_stream_path(&app, &bob.access_token, &bob.org_id).await;
    let response = app.get(&bobs).await;
    assert_eq!(response.status(), 200, "another creator's share");
    open.push(response);

    // A closed shared stream gives its creator's slot back.
    let closed = open.remove(2);
    drop(closed);
    let mut status = 0;
    for _ in 0..50 {
        let response = app.get(&shared[2]).await;
        status = response.status().as_u16();
        if status == 200 {
            open.push(response);
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(status, 200, "the slot came back once the stream closed");
}

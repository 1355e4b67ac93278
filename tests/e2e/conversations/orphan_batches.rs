//! Event batches no segment points to (an append killed between writing its batch and recording
//! it, a commit whose outcome stayed unknown) are deleted once past their grace; recorded batches
//! and anything else in the store stay.

use std::time::{Duration, Instant};

use object_store::{ObjectStoreExt, PutPayload, path::Path};
use serde_json::json;

use super::create_conversation;
use crate::support::{PASSWORD, spawn_app_with};

#[tokio::test]
async fn batches_no_segment_points_to_are_swept_after_their_grace() {
    let app = spawn_app_with(|config| {
        config.storage.orphan_sweep_interval_secs = 1;
        config.storage.orphan_grace_secs = 1;
    })
    .await;
    let user = app.register("orphans@example.com", PASSWORD).await;
    let (token, org) = (user.access_token.as_str(), user.org_id.as_str());
    let id = create_conversation(&app, token, org, json!({})).await;
    for n in 0..2 {
        let (status, body) = app.api(token).append_events(org, &id, json!([{ "n": n }])).await;
        assert_eq!(status, 201, "{body}");
    }
    let batches = format!("orgs/{org}/conversations/{id}/batches");
    assert_eq!(app.objects_under(&batches).await, 2);

    // Three batches written and never recorded, and a file that is no batch.
    let store = app.object_store();
    for _ in 0..3 {
        let orphan = Path::from(format!("{batches}/{}.json", uuid::Uuid::new_v4()));
        store
            .put(
                &orphan,
                PutPayload::from_static(b"[{\"timestamp\":\"2026-12-05T00:00:00Z\",\"event\":{}}]"),
            )
            .await
            .expect("write orphan");
    }
    let other = Path::from(format!("orgs/{org}/conversations/{id}/notes.txt"));
    store
        .put(&other, PutPayload::from_static(b"kept"))
        .await
        .expect("write other");
    assert_eq!(app.objects_under(&batches).await, 5);

    let started = Instant::now();
    while app.objects_under(&batches).await > 2 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "orphans still there: {}",
            app.objects_under(&batches).await
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(app.objects_under(&batches).await, 2, "the recorded batches stay");
    store.head(&other).await.expect("what is no batch stays");
    let (status, page) = app.api(token).events(org, &id, "start_id=0&limit=10").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2));
}

//! A batch whose object is gone (deleted by hand, a bucket lifecycle rule) is named in the pages that
//! touch it, and the rest of every page is still served.

use futures::TryStreamExt;
use object_store::{ObjectStoreExt, path::Path};
use serde_json::json;

use super::create_conversation;
use crate::support::{PASSWORD, spawn_app_with};

#[tokio::test]
async fn a_lost_batch_is_named_and_the_rest_of_the_page_still_served() {
    // Without the in-memory cache, which would keep serving what it read before the loss.
    let app = spawn_app_with(|config| config.storage.event_cache_bytes = 0).await;
    let user = app.register("lost.batch@example.com", PASSWORD).await;
    let (token, org) = (user.access_token.as_str(), user.org_id.as_str());
    let id = create_conversation(&app, token, org, json!({})).await;
    for size in 1..=3 {
        let events: Vec<_> = (0..size).map(|n| json!({ "size": size, "n": n })).collect();
        let (status, body) = app.api(token).append_events(org, &id, json!(events)).await;
        assert_eq!(status, 201, "{body}");
    }
    // The batch of two events (ids 1 and 2) disappears from the store.
    let store = app.object_store();
    let prefix = Path::from(format!("orgs/{org}/conversations/{id}/batches"));
    let objects: Vec<_> = store.list(Some(&prefix)).try_collect().await.expect("list");
    let mut lost = None;
    for object in objects {
        let bytes = store
            .get(&object.location)
            .await
            .expect("get")
            .bytes()
            .await
            .expect("bytes");
        let events: Vec<serde_json::Value> = serde_json::from_slice(&bytes).expect("batch");
        if events.len() == 2 {
            lost = Some(object.location);
        }
    }
    store
        .delete(&lost.expect("the two-event batch"))
        .await
        .expect("delete");

    let (status, page) = app.api(token).events(org, &id, "start_id=0&limit=100").await;
    assert_eq!(status, 200, "{page}");
    let ids: Vec<i64> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|event| event["id"].as_i64())
        .collect();
    assert_eq!(ids, vec![0, 3, 4, 5]);
    assert_eq!(page["missing"], json!([{ "first_id": 1, "last_id": 2 }]));
    // A window that starts inside the lost batch names only its part.
    let (status, page) = app.api(token).events(org, &id, "start_id=2&limit=2").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["missing"], json!([{ "first_id": 2, "last_id": 2 }]));
    assert_eq!(page["items"][0]["id"], 3);
    // Pages that do not touch it are as before, without `missing`.
    let (status, page) = app.api(token).events(org, &id, "start_id=3&limit=10").await;
    assert_eq!(status, 200);
    assert!(page.get("missing").is_none(), "{page}");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(3));
}

//! Dense event ids under concurrency, read-back, and store failure.

use std::collections::HashSet;

use futures::future::join_all;
use serde_json::{Value, json};

use super::create_conversation;
use crate::{
    support::Cast,
    support::{spawn_app, spawn_app_with},
};

#[tokio::test]
async fn concurrent_appenders_get_dense_ids_and_read_back_what_they_wrote() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "events", "Events Co").await;
    let token = &cast.developer.access_token;
    let id = create_conversation(&app, token, &cast.org, json!({ "title": "busy" })).await;

    let tasks = (0..10).map(|task| {
        let (app, org, id) = (&app, &cast.org, &id);
        async move {
            let mut ids = Vec::new();
            for n in 0..20 {
                let (status, range) = app
                    .api(token)
                    .append_events(org, id, json!({ "task": task, "n": n }))
                    .await;
                assert_eq!(status, 201, "{range}");
                assert_eq!(range["first_id"], range["last_id"]);
                ids.push(range["first_id"].as_i64().expect("id"));
            }
            ids
        }
    });
    let mut ids: Vec<i64> = join_all(tasks).await.into_iter().flatten().collect();
    ids.sort();
    assert_eq!(ids, (0..200).collect::<Vec<_>>(), "ids exactly 0..199");

    let (status, page) = app
        .api(token)
        .events(&cast.org, &id, "start_id=0&limit=1000")
        .await;
    assert_eq!(status, 200);
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 200);
    assert!(page["next_start_id"].is_null());
    let read_ids: Vec<i64> = items
        .iter()
        .map(|item| item["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(read_ids, (0..200).collect::<Vec<_>>());
    let written: HashSet<(i64, i64)> = (0..10).flat_map(|t| (0..20).map(move |n| (t, n))).collect();
    let read: HashSet<(i64, i64)> = items
        .iter()
        .map(|item| {
            (
                item["event"]["task"].as_i64().expect("task"),
                item["event"]["n"].as_i64().expect("n"),
            )
        })
        .collect();
    assert_eq!(read, written, "every event read back as written");
    let (_, conversation) = app.api(token).conversation(&cast.org, &id).await;
    assert_eq!(conversation["event_count"], 200);
}

#[tokio::test]
async fn batches_pages_and_limits() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "batches", "Batches Co").await;
    let token = &cast.developer.access_token;
    let id = create_conversation(&app, token, &cast.org, json!({ "visibility": "org" })).await;

    let batch: Vec<Value> = (0..250)
        .map(|n| json!({ "n": n, "text": "x".repeat(50) }))
        .collect();
    let (status, range) = app
        .api(token)
        .append_events(&cast.org, &id, Value::Array(batch))
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        (range["first_id"].as_i64(), range["last_id"].as_i64()),
        (Some(0), Some(249))
    );
    let (_, range) = app
        .api(token)
        .append_events(&cast.org, &id, json!({ "n": 250 }))
        .await;
    assert_eq!(range["first_id"], 250);

    let (status, page) = app
        .api(&cast.viewer.access_token)
        .events(&cast.org, &id, "start_id=240&limit=5")
        .await;
    assert_eq!(status, 200);
    let ns: Vec<i64> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["event"]["n"].as_i64().expect("n"))
        .collect();
    assert_eq!(ns, [240, 241, 242, 243, 244]);
    assert_eq!(page["next_start_id"], 245);
    let (_, page) = app
        .api(token)
        .events(&cast.org, &id, "start_id=248&limit=100")
        .await;
    let ids: Vec<i64> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids, [248, 249, 250], "across two segments");
    assert!(page["next_start_id"].is_null());
    let (_, page) = app.api(token).events(&cast.org, &id, "start_id=900").await;
    assert!(page["items"].as_array().expect("items").is_empty());

    let too_many: Vec<Value> = (0..1001).map(|n| json!({ "n": n })).collect();
    for (body, why) in [
        (Value::Array(too_many), "more than 1000"),
        (json!([]), "empty batch"),
        (json!([1, 2]), "not objects"),
        (json!("text"), "not an object"),
    ] {
        let (status, problem) = app.api(token).append_events(&cast.org, &id, body).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some("validation_failed")),
            "{why}"
        );
    }
    let (status, _) = app.api(token).events(&cast.org, &id, "limit=1001").await;
    assert_eq!(status, 422);
    let (status, _) = app.api(token).events(&cast.org, &id, "start_id=-1").await;
    assert_eq!(status, 422);
    let (_, conversation) = app.api(token).conversation(&cast.org, &id).await;
    assert_eq!(
        conversation["event_count"], 251,
        "rejected batches allocated nothing"
    );
}

#[tokio::test]
async fn a_failing_store_answers_503_and_allocates_no_ids() {
    // A local directory that can be broken and mended; no segment cache, so reads reach it.
    let app = spawn_app_with(|config| {
        config.storage.url = None;
        config.storage.event_cache_bytes = 0;
    })
    .await;
    let cast = Cast::assemble(&app, "storefail", "Store Fail Co").await;
    let token = &cast.developer.access_token;
    let id = create_conversation(&app, token, &cast.org, json!({})).await;
    let (_, range) = app
        .api(token)
        .append_events(&cast.org, &id, json!({ "n": 0 }))
        .await;
    assert_eq!(range["first_id"], 0);

    let objects = app.data_dir.join("objects");
    let parked = app.data_dir.join("objects-parked");
    std::fs::rename(&objects, &parked).expect("park the store");
    std::fs::write(&objects, b"not a directory").expect("break the store");
    let (status, problem) = app
        .api(token)
        .append_events(&cast.org, &id, json!({ "n": 1 }))
        .await;
    assert_eq!((status, problem["code"].as_str()), (503, Some("unavailable")));
    let (status, _) = app.api(token).events(&cast.org, &id, "start_id=0").await;
    assert_eq!(status, 503, "reads fail too");
    let (status, conversation) = app.api(token).conversation(&cast.org, &id).await;
    assert_eq!(status, 200, "metadata stays readable");
    assert_eq!(conversation["event_count"], 1, "no id was allocated");

    std::fs::remove_file(&objects).expect("unbreak");
    std::fs::rename(&parked, &objects).expect("restore");
    let (status, range) = app
        .api(token)
        .append_events(&cast.org, &id, json!({ "n": 1 }))
        .await;
    assert_eq!(status, 201);
    assert_eq!(range["first_id"], 1, "no gap after the failure");
    let (_, page) = app.api(token).events(&cast.org, &id, "start_id=0").await;
    let ns: Vec<i64> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["event"]["n"].as_i64().expect("n"))
        .collect();
    assert_eq!(ns, [0, 1]);
}

#[tokio::test]
async fn recent_events_stay_readable_from_the_cache_while_the_store_is_down() {
    let app = spawn_app_with(|config| config.storage.url = None).await;
    let cast = Cast::assemble(&app, "cached", "Cached Co").await;
    let token = &cast.developer.access_token;
    let id = create_conversation(&app, token, &cast.org, json!({})).await;
    let (status, _) = app
        .api(token)
        .append_events(&cast.org, &id, json!([{ "n": 0 }, { "n": 1 }]))
        .await;
    assert_eq!(status, 201);

    let objects = app.data_dir.join("objects");
    std::fs::rename(&objects, app.data_dir.join("objects-parked")).expect("park the store");
    std::fs::write(&objects, b"not a directory").expect("break the store");
    let (status, page) = app.api(token).events(&cast.org, &id, "start_id=0").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"][1]["event"]["n"], 1);
    let (status, _) = app
        .api(token)
        .append_events(&cast.org, &id, json!({ "n": 2 }))
        .await;
    assert_eq!(status, 503, "writes still need the store");
}

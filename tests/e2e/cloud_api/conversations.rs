//! `/api/v1/app-conversations` and `/api/v1/conversation/{id}/events` over conversations agent
//! servers reported by webhook: OpenHands' shapes, Tenantry's visibility, another org's ids `null`.

use serde_json::{Value, json};

use crate::{
    agent_servers::{deliver, register_sandbox},
    support::{PASSWORD, Session, TestApp, spawn_app},
};

async fn get(app: &TestApp, key: &str, path: &str) -> (u16, Value) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(key)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn send(app: &TestApp, method: &str, key: &str, path: &str, body: Value) -> (u16, Value) {
    let response = app
        .client
        .request(method.parse().expect("method"), app.url(path))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A conversation an agent server reported, with three events.
async fn reported(app: &TestApp, session: &Session, title: &str) -> (uuid::Uuid, String) {
    let sandbox = register_sandbox(app, session, &session.org_id, title).await;
    let id = uuid::Uuid::new_v4();
    let (status, body) = deliver(
        app,
        Some(&sandbox.key),
        "/conversations",
        &json!({ "id": id.to_string(), "title": title, "execution_status": "finished" }),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let events = json!([
        { "id": "e-1", "kind": "MessageEvent", "source": "user", "timestamp": "2026-12-06T10:00:00.000001" },
        { "id": "e-2", "kind": "ActionEvent", "source": "agent", "timestamp": "2026-12-06T10:00:01" },
        { "id": "e-3", "kind": "MessageEvent", "source": "agent", "timestamp": "2026-12-06T10:00:02" }
    ]);
    let (status, body) = deliver(
        app,
        Some(&sandbox.key),
        &format!("/events/{}", id.simple()),
        &events,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    (id, sandbox.id)
}

#[tokio::test]
async fn app_conversations_search_count_batch_patch_and_delete() {
    let app = spawn_app().await;
    let ann = app.register("ann.appconv@example.com", PASSWORD).await;
    let eve = app.register("eve.appconv@example.com", PASSWORD).await;
    let (first, sandbox) = reported(&app, &ann, "First task").await;
    let (second, _) = reported(&app, &ann, "Second chore").await;
    let ann_key = super::api_key(&app, &ann, &ann.org_id).await;
    let eve_key = super::api_key(&app, &eve, &eve.org_id).await;

    let (status, page) = get(&app, &ann_key, "/api/v1/app-conversations/search?limit=1").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"].as_array().expect("items").len(), 1);
    let next = page["next_page_id"].as_str().expect("a second page").to_owned();
    let (_, rest) = get(
        &app,
        &ann_key,
        &format!("/api/v1/app-conversations/search?limit=1&page_id={next}"),
    )
    .await;
    let seen: Vec<&str> = [&page, &rest]
        .iter()
        .filter_map(|page| page["items"][0]["id"].as_str())
        .collect();
    assert_eq!(seen.len(), 2);
    assert!(seen.contains(&first.simple().to_string().as_str()));

    let (_, found) = get(
        &app,
        &ann_key,
        "/api/v1/app-conversations/search?title__contains=chore",
    )
    .await;
    let found = &found["items"][0];
    assert_eq!(found["id"], second.simple().to_string());
    assert_eq!(found["title"], "Second chore");
    assert_eq!(found["execution_status"], "finished");
    assert_eq!(
        found["sandbox_status"], "RUNNING",
        "a registered sandbox counts as running"
    );
    assert_eq!(found["public"], false);
    let (_, on_sandbox) = get(
        &app,
        &ann_key,
        &format!("/api/v1/app-conversations/search?sandbox_id__eq={sandbox}"),
    )
    .await;
    assert_eq!(on_sandbox["items"].as_array().expect("items").len(), 1);
    let (_, none) = get(
        &app,
        &ann_key,
        "/api/v1/app-conversations/search?created_at__gte=2999-01-01T00:00:00Z",
    )
    .await;
    assert_eq!(none["items"], json!([]));
    let (status, total) = get(&app, &ann_key, "/api/v1/app-conversations/count").await;
    assert_eq!((status, total), (200, json!(2)));
    let (_, total) = get(
        &app,
        &ann_key,
        "/api/v1/app-conversations/count?title__contains=task",
    )
    .await;
    assert_eq!(total, json!(1));

    // Batch: request order, dashed or not, null for the missing and for another org's caller.
    let missing = uuid::Uuid::new_v4();
    let path = format!(
        "/api/v1/app-conversations?ids={}&ids={missing}&ids={first}",
        second.simple()
    );
    let (status, batch) = get(&app, &ann_key, &path).await;
    assert_eq!(status, 200, "{batch}");
    assert_eq!(batch[0]["id"], second.simple().to_string());
    assert_eq!(batch[1], Value::Null);
    assert_eq!(batch[2]["id"], first.simple().to_string());
    let (_, theirs) = get(&app, &eve_key, &path).await;
    assert_eq!(theirs, json!([null, null, null]));
    let (status, _) = get(
        &app,
        &eve_key,
        &format!("/api/v1/conversation/{}/events/search", first.simple()),
    )
    .await;
    assert_eq!(status, 404);

    // Patch: title and public (the org may read it).
    let (status, patched) = send(
        &app,
        "PATCH",
        &ann_key,
        &format!("/api/v1/app-conversations/{}", first.simple()),
        json!({ "title": "Renamed", "public": true }),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(
        (patched["title"].as_str(), patched["public"].as_bool()),
        (Some("Renamed"), Some(true))
    );
    let (status, refused) = send(
        &app,
        "PATCH",
        &eve_key,
        &format!("/api/v1/app-conversations/{}", first.simple()),
        json!({ "title": "Mine now" }),
    )
    .await;
    assert_eq!(status, 404, "{refused}");
    assert!(refused["detail"].is_string());

    // Delete: gone from batches and searches; a second delete is 404.
    let delete_path = format!("/api/v1/app-conversations/{}", first.simple());
    let (status, deleted) = send(&app, "DELETE", &ann_key, &delete_path, Value::Null).await;
    assert_eq!((status, deleted), (200, json!({ "success": true })));
    let (_, batch) = get(&app, &ann_key, &format!("/api/v1/app-conversations?ids={first}")).await;
    assert_eq!(batch, json!([null]));
    let (status, _) = send(&app, "DELETE", &ann_key, &delete_path, Value::Null).await;
    assert_eq!(status, 404);
    let (status, _) = get(
        &app,
        &ann_key,
        &format!("/api/v1/conversation/{}/events/search", first.simple()),
    )
    .await;
    assert_eq!(status, 404, "its events went with it");
}

#[tokio::test]
async fn events_are_searched_by_kind_and_time_counted_and_read_by_their_own_ids() {
    let app = spawn_app().await;
    let ann = app.register("ann.cloudevents@example.com", PASSWORD).await;
    let (id, _) = reported(&app, &ann, "Events").await;
    let key = super::api_key(&app, &ann, &ann.org_id).await;
    let base = format!("/api/v1/conversation/{}/events", id.simple());

    let (status, all) = get(&app, &key, &format!("{base}/search")).await;
    assert_eq!(status, 200, "{all}");
    let ids: Vec<&str> = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|event| event["id"].as_str())
        .collect();
    assert_eq!(ids, ["e-1", "e-2", "e-3"]);
    let (_, messages) = get(
        &app,
        &key,
        &format!("{base}/search?kind__eq=MessageEvent&sort_order=TIMESTAMP_DESC"),
    )
    .await;
    let ids: Vec<&str> = messages["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|event| event["id"].as_str())
        .collect();
    assert_eq!(ids, ["e-3", "e-1"]);
    let (_, paged) = get(&app, &key, &format!("{base}/search?limit=2")).await;
    assert_eq!(paged["items"].as_array().expect("items").len(), 2);
    let next = paged["next_page_id"].as_str().expect("next").to_owned();
    let (_, last) = get(&app, &key, &format!("{base}/search?limit=2&page_id={next}")).await;
    assert_eq!(last["items"][0]["id"], "e-3");
    assert_eq!(last["next_page_id"], Value::Null);
    let (_, late) = get(
        &app,
        &key,
        &format!("{base}/search?timestamp__gte=2026-12-06T10:00:01"),
    )
    .await;
    assert_eq!(late["items"].as_array().expect("items").len(), 2);
    let (status, counted) = get(&app, &key, &format!("{base}/count?kind__eq=ActionEvent")).await;
    assert_eq!((status, counted), (200, json!(1)));
    let (_, batch) = get(&app, &key, &format!("{base}?id=e-3&id=nope&id=e-1")).await;
    assert_eq!(batch[0]["id"], "e-3");
    assert_eq!(batch[1], Value::Null);
    assert_eq!(batch[2]["id"], "e-1");
    let (status, bad) = get(&app, &key, &format!("{base}/search?sort_order=SIDEWAYS")).await;
    assert_eq!(status, 422, "{bad}");
}

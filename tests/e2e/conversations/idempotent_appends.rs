//! Appends with an `Idempotency-Key`: a retry (after a timeout, a 503 or a reset) appends nothing
//! and answers the ids the first batch got, also when the retries race each other.

use futures::future::join_all;
use serde_json::{Value, json};

use super::create_conversation;
use crate::support::{PASSWORD, TestApp, spawn_app};

/// Appends `events` with `key`: `(status, body)`.
async fn append(app: &TestApp, token: &str, org: &str, id: &str, key: &str, events: Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/orgs/{org}/conversations/{id}/events")))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&events)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn event_count(app: &TestApp, token: &str, org: &str, id: &str) -> i64 {
    let (status, conversation) = app.api(token).conversation(org, id).await;
    assert_eq!(status, 200, "{conversation}");
    conversation["event_count"].as_i64().expect("event_count")
}

#[tokio::test]
async fn a_batch_sent_again_with_its_key_is_appended_once() {
    let app = spawn_app().await;
    let user = app.register("idempotent@example.com", PASSWORD).await;
    let (token, org) = (user.access_token.as_str(), user.org_id.as_str());
    let id = create_conversation(&app, token, org, json!({})).await;
    let batch = json!([{ "n": 0 }, { "n": 1 }, { "n": 2 }]);

    let (status, first) = append(&app, token, org, &id, "batch-1", batch.clone()).await;
    assert_eq!(status, 201, "{first}");
    let (status, again) = append(&app, token, org, &id, "batch-1", batch.clone()).await;
    assert_eq!((status, &again), (201, &first), "the retry answers the first ids");
    assert_eq!(event_count(&app, token, org, &id).await, 3);

    // Another key is another batch; the same key for a batch of another size is refused.
    let (status, next) = append(&app, token, org, &id, "batch-2", json!({ "n": 3 })).await;
    assert_eq!((status, next["first_id"].as_i64()), (201, Some(3)), "{next}");
    let (status, refused) = append(&app, token, org, &id, "batch-1", json!([{ "n": 9 }])).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (409, Some("idempotency_key_reused")),
        "{refused}"
    );
    let (status, refused) = append(&app, token, org, &id, "has space", json!({ "n": 9 })).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(event_count(&app, token, org, &id).await, 4);

    // A key belongs to its conversation: the same key elsewhere is a new batch.
    let other = create_conversation(&app, token, org, json!({})).await;
    let (status, elsewhere) = append(&app, token, org, &other, "batch-1", batch).await;
    assert_eq!(
        (status, elsewhere["first_id"].as_i64()),
        (201, Some(0)),
        "{elsewhere}"
    );
}

#[tokio::test]
async fn racing_retries_of_one_batch_append_it_once() {
    let app = spawn_app().await;
    let user = app.register("racing.retries@example.com", PASSWORD).await;
    let (token, org) = (user.access_token.as_str(), user.org_id.as_str());
    let id = create_conversation(&app, token, org, json!({})).await;
    let retries = (0..8).map(|_| append(&app, token, org, &id, "once", json!([{ "a": 1 }, { "a": 2 }])));
    let answers = join_all(retries).await;
    for (status, body) in &answers {
        assert_eq!(*status, 201, "{body}");
        assert_eq!(body, &answers[0].1, "every retry gets the same ids");
    }
    assert_eq!(event_count(&app, token, org, &id).await, 2);
    let (status, page) = app.api(token).events(org, &id, "start_id=0&limit=10").await;
    assert_eq!(status, 200);
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2), "{page}");
}

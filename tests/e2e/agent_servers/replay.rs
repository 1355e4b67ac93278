//! The webhook deliveries of a real agent-server run (tests/fixtures/openhands), replayed: the
//! protocol on both databases without Python.

use std::collections::HashSet;

use futures::future::join_all;
use serde_json::{Value, json};

use super::{PASSWORD, all_events, deliver, register_sandbox};
use crate::support::{Session, TestApp, spawn_app, spawn_app_with};

/// The recorded deliveries, with the conversation id replaced by `id` (dashed in bodies, hex in the
/// events path, as the agent server sends them).
fn deliveries(id: uuid::Uuid) -> Vec<(String, Value)> {
    let fixture: Value =
        serde_json::from_str(include_str!("../../fixtures/openhands/webhook_deliveries.json"))
            .expect("fixture");
    let original = "5542a5f7-8c28-4176-ae6f-3a62f69b62e0";
    let text = fixture["deliveries"]
        .to_string()
        .replace(original, &id.hyphenated().to_string())
        .replace(&original.replace('-', ""), &id.simple().to_string());
    serde_json::from_str::<Vec<Value>>(&text)
        .expect("deliveries")
        .into_iter()
        .map(|delivery| {
            (
                delivery["path"].as_str().expect("path").to_owned(),
                delivery["body"].clone(),
            )
        })
        .collect()
}

async fn conversation(app: &TestApp, session: &Session, id: &str) -> (u16, Value) {
    app.api(&session.access_token)
        .conversation(&session.org_id, &id)
        .await
}

fn event_keys(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|event| event["event"]["id"].as_str().expect("event id").to_owned())
        .collect()
}

#[tokio::test]
async fn a_recorded_run_lands_in_the_sandboxs_org_with_status_usage_and_events() {
    let app = spawn_app().await;
    let user = app.register("agent.replay@example.com", PASSWORD).await;
    let sandbox = register_sandbox(&app, &user, &user.org_id, "box").await;
    let id = uuid::Uuid::new_v4();
    let deliveries = deliveries(id);
    let mut statuses = Vec::new();
    for (path, body) in &deliveries[..deliveries.len() - 1] {
        let (status, answer) = deliver(&app, Some(&sandbox.key), path, body).await;
        assert!((200..300).contains(&status), "{path}: {status} {answer}");
        let (_, current) = conversation(&app, &user, &id.to_string()).await;
        statuses.push(
            current["execution_status"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    assert_eq!(statuses[0], "idle");
    assert_eq!(statuses[1], "running");
    assert_eq!(statuses[2], "finished");

    let (status, stored) = conversation(&app, &user, &id.to_string()).await;
    assert_eq!(status, 200);
    assert_eq!(stored["org_id"], user.org_id.as_str());
    assert_eq!(stored["created_by"], user.user_id.as_str());
    assert_eq!(stored["sandbox_id"], sandbox.id.as_str());
    assert_eq!(stored["title"], "Renamed");
    assert_eq!(stored["llm_model"], "openai/fake");
    // Three LLM calls of 100 prompt and 20 completion tokens at 1e-6 and 2e-6 per token.
    assert_eq!(stored["prompt_tokens"], 300);
    assert_eq!(stored["completion_tokens"], 60);
    assert_eq!(stored["total_tokens"], 360);
    assert_eq!(stored["accumulated_cost"], 0.00042);
    // Reported totals are cumulative: what budgets count is what each delivery added, exactly.
    for (path, body) in &deliveries[..deliveries.len() - 1] {
        deliver(&app, Some(&sandbox.key), path, body).await;
    }
    let (status, month) = app
        .api(&user.access_token)
        .get(&format!("/api/orgs/{}/usage", user.org_id))
        .await;
    assert_eq!(status, 200, "{month}");
    assert_eq!(month["total_cost_micros"], 420, "{month}");
    assert_eq!(month["by_member"][0]["user_id"], user.user_id.as_str());
    assert_eq!(month["by_member"][0]["prompt_tokens"], 300);
    assert_eq!(month["by_model"][0]["model"], "openai/fake");

    let events = all_events(&app, &user, &user.org_id, &id.to_string()).await;
    let sent: Vec<Value> = deliveries
        .iter()
        .filter(|(path, _)| path.starts_with("/events/"))
        .flat_map(|(_, body)| body.as_array().expect("batch").clone())
        .collect();
    assert_eq!(events.len(), sent.len());
    for (position, (stored, sent)) in events.iter().zip(&sent).enumerate() {
        assert_eq!(stored["id"], position as i64, "dense ids");
        assert_eq!(&stored["event"], sent, "stored as it came, in order");
    }

    // The agent server deletes it: the status says so.
    let (path, body) = deliveries.last().expect("last");
    deliver(&app, Some(&sandbox.key), path, body).await;
    let (_, deleting) = conversation(&app, &user, &id.to_string()).await;
    assert_eq!(deleting["execution_status"], "deleting");

    let (status, list) = app
        .api(&user.access_token)
        .conversations(&user.org_id, "execution_status=deleting")
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["items"].as_array().expect("items").len(), 1);
    let (_, none) = app
        .api(&user.access_token)
        .conversations(&user.org_id, "execution_status=running")
        .await;
    assert_eq!(none["items"], json!([]));
    let (status, _) = app
        .api(&user.access_token)
        .conversations(&user.org_id, "execution_status=Not%20A%20Status")
        .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn retried_and_overlapping_batches_store_each_event_once_and_never_lower_usage() {
    let app = spawn_app().await;
    let user = app.register("agent.retry@example.com", PASSWORD).await;
    let sandbox = register_sandbox(&app, &user, &user.org_id, "box").await;
    let id = uuid::Uuid::new_v4();
    let deliveries = deliveries(id);
    for (path, body) in &deliveries[..9] {
        deliver(&app, Some(&sandbox.key), path, body).await;
    }
    let before = all_events(&app, &user, &user.org_id, &id.to_string()).await;
    let (_, totals) = conversation(&app, &user, &id.to_string()).await;
    // Everything again (a restart's redelivery), plus an overlapping batch, plus an early report
    // with lower usage arriving late.
    for (path, body) in &deliveries[..9] {
        let (status, answer) = deliver(&app, Some(&sandbox.key), path, body).await;
        assert!((200..300).contains(&status));
        if path.starts_with("/events/") {
            assert_eq!(answer["appended"], 0, "{path} was stored before");
        }
    }
    let events_path = &deliveries[1].0;
    let first: Vec<Value> = deliveries[1].1.as_array().expect("batch").clone();
    let mut overlapping = first[3..].to_vec();
    overlapping.push(json!({ "id": "brand-new-event", "kind": "MessageEvent", "source": "agent" }));
    let (_, answer) = deliver(&app, Some(&sandbox.key), events_path, &Value::Array(overlapping)).await;
    assert_eq!(answer["appended"], 1);
    let after = all_events(&app, &user, &user.org_id, &id.to_string()).await;
    assert_eq!(after.len(), before.len() + 1);
    let keys = event_keys(&after);
    assert_eq!(
        keys.iter().collect::<HashSet<_>>().len(),
        keys.len(),
        "no event twice"
    );
    let (_, later) = conversation(&app, &user, &id.to_string()).await;
    for field in ["accumulated_cost", "prompt_tokens", "completion_tokens"] {
        assert_eq!(
            later[field], totals[field],
            "{field} never lowered by a late report"
        );
    }
}

#[tokio::test]
async fn concurrent_deliveries_of_the_same_batches_store_each_event_once_with_dense_ids() {
    let first = spawn_app_with(|config| config.http.workers = 4).await;
    let second = first.start_sibling(|config| config.http.workers = 4).await;
    let user = first.register("agent.concurrent@example.com", PASSWORD).await;
    let sandbox = register_sandbox(&first, &user, &user.org_id, "box").await;
    let id = uuid::Uuid::new_v4();
    let path = format!("/events/{}", id.simple());
    let batches: Vec<Value> = (0..8)
        .map(|batch| {
            // Batch n holds events n*5 .. n*5+10: every event arrives in two batches.
            Value::Array(
                (batch * 5..batch * 5 + 10)
                    .map(|n| json!({ "id": format!("event-{n:03}"), "kind": "MessageEvent", "n": n }))
                    .collect(),
            )
        })
        .collect();
    let deliveries = batches.iter().enumerate().flat_map(|(n, batch)| {
        let key = sandbox.key.clone();
        let path = path.clone();
        let app = if n % 2 == 0 { &first } else { &second };
        (0..2).map(move |_| {
            let (key, path) = (key.clone(), path.clone());
            async move { deliver(app, Some(&key), &path, batch).await }
        })
    });
    for (status, answer) in join_all(deliveries).await {
        assert_eq!(status, 200, "{answer}");
    }
    let events = all_events(&first, &user, &user.org_id, &id.to_string()).await;
    assert_eq!(events.len(), 45, "events 0..45, each once");
    let keys = event_keys(&events);
    assert_eq!(keys.iter().collect::<HashSet<_>>().len(), 45);
    for (position, event) in events.iter().enumerate() {
        assert_eq!(event["id"], position as i64);
    }
}

#[tokio::test]
async fn reports_are_confined_to_the_sandboxs_org_and_its_own_conversations() {
    let app = spawn_app().await;
    let owner = app.register("agent.owner@example.com", PASSWORD).await;
    let stranger = app.register("agent.stranger@example.com", PASSWORD).await;
    let mine = register_sandbox(&app, &owner, &owner.org_id, "mine").await;
    let theirs = register_sandbox(&app, &stranger, &stranger.org_id, "theirs").await;
    let id = uuid::Uuid::new_v4();
    let deliveries = deliveries(id);
    deliver(&app, Some(&mine.key), &deliveries[0].0, &deliveries[0].1).await;
    deliver(&app, Some(&mine.key), &deliveries[1].0, &deliveries[1].1).await;
    let before = all_events(&app, &owner, &owner.org_id, &id.to_string())
        .await
        .len();

    // Another org's sandbox names the same conversation: it does not exist for it.
    let (status, _) = deliver(&app, Some(&theirs.key), &deliveries[2].0, &deliveries[2].1).await;
    assert_eq!(status, 404);
    let (status, _) = deliver(&app, Some(&theirs.key), &deliveries[0].0, &deliveries[0].1).await;
    assert_eq!(status, 404);
    // A second sandbox of the same user in the same org is another sandbox.
    let other_box = register_sandbox(&app, &owner, &owner.org_id, "other").await;
    let (status, _) = deliver(&app, Some(&other_box.key), &deliveries[2].0, &deliveries[2].1).await;
    assert_eq!(status, 404);
    assert_eq!(
        all_events(&app, &owner, &owner.org_id, &id.to_string())
            .await
            .len(),
        before
    );
    let (_, list) = app
        .api(&stranger.access_token)
        .conversations(&stranger.org_id, "")
        .await;
    assert_eq!(list["items"], json!([]));

    // Events for a conversation not reported yet create it.
    let fresh = uuid::Uuid::new_v4();
    let (status, answer) = deliver(
        &app,
        Some(&mine.key),
        &format!("/events/{}", fresh.hyphenated()),
        &json!([{ "id": "e1", "kind": "MessageEvent" }]),
    )
    .await;
    assert_eq!((status, answer["appended"].as_i64()), (200, Some(1)));
    let (status, created) = conversation(&app, &owner, &fresh.to_string()).await;
    assert_eq!(status, 200);
    assert_eq!(created["sandbox_id"], mine.id.as_str());
}

#[tokio::test]
async fn only_live_session_keys_are_accepted() {
    let app = spawn_app().await;
    let owner = app.register("agent.keys@example.com", PASSWORD).await;
    let sandbox = register_sandbox(&app, &owner, &owner.org_id, "box").await;
    let id = uuid::Uuid::new_v4();
    let deliveries = deliveries(id);
    let (path, body) = &deliveries[0];
    assert_eq!(deliver(&app, None, path, body).await.0, 401);
    assert_eq!(deliver(&app, Some("not-a-key"), path, body).await.0, 401);
    let bearer = app
        .client
        .post(app.url("/api/v1/webhooks/conversations"))
        .bearer_auth(&owner.access_token)
        .json(body)
        .send()
        .await
        .expect("request");
    assert_eq!(bearer.status(), 401, "a user's token is not a session key");
    assert_eq!(deliver(&app, Some(&sandbox.key), path, body).await.0, 204);
    let (status, _) = app
        .api(&owner.access_token)
        .delete_sandbox(&owner.org_id, &sandbox.id)
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        deliver(&app, Some(&sandbox.key), path, body).await.0,
        401,
        "revoked at once"
    );
}

#[tokio::test]
async fn bad_batches_are_422_or_413_and_apply_nothing() {
    let app = spawn_app_with(|config| config.http.events_body_limit_bytes = 64 * 1024).await;
    let owner = app.register("agent.bad@example.com", PASSWORD).await;
    let sandbox = register_sandbox(&app, &owner, &owner.org_id, "box").await;
    let id = uuid::Uuid::new_v4();
    let path = format!("/events/{}", id.simple());
    let key = Some(sandbox.key.as_str());
    let good = json!({ "id": "ok-1", "kind": "MessageEvent" });
    for bad in [
        json!({ "id": "x", "kind": "MessageEvent" }),
        json!([]),
        json!([good, { "kind": "MessageEvent" }]),
        json!([good, { "id": "no-kind" }]),
        json!([good, "text"]),
    ] {
        let (status, problem) = deliver(&app, key, &path, &bad).await;
        assert_eq!(status, 422, "{bad}: {problem}");
    }
    let huge = Value::Array(
        (0..200)
            .map(|n| json!({ "id": format!("big-{n}"), "kind": "MessageEvent", "text": "x".repeat(1000) }))
            .collect(),
    );
    assert_eq!(deliver(&app, key, &path, &huge).await.0, 413);
    let (status, _) = deliver(&app, key, "/conversations", &json!({ "title": "no id" })).await;
    assert_eq!(status, 422);
    let (_, list) = app
        .api(&owner.access_token)
        .conversations(&owner.org_id, "")
        .await;
    assert_eq!(
        list["items"],
        json!([]),
        "nothing of a rejected batch was applied"
    );
}

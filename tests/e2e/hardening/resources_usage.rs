//! Usage totals stay bounded: a report beyond the per-report bounds, or one that would carry a
//! running total beyond its bound, is refused with 422 and changes nothing; no total overflows into
//! a 500.

use serde_json::{Map, Value, json};

use super::PASSWORD;
use crate::{
    agent_servers::{deliver, register_sandbox},
    conversations::create_conversation,
    support::{TestApp, spawn_app},
};

/// A value just short of where a 64-bit total overflows, as a saturated total left it.
const NEAR_OVERFLOW: i64 = i64::MAX - 1_000;

/// `stats` whose `usage_to_metrics` holds one metric per `(cost, prompt tokens)`.
fn stats(metrics: &[(f64, i64)]) -> Value {
    let metrics: Map<String, Value> = metrics
        .iter()
        .enumerate()
        .map(|(index, (cost, prompt))| {
            (
                format!("usage-{index}"),
                json!({
                    "accumulated_cost": cost,
                    "accumulated_token_usage": { "prompt_tokens": prompt, "completion_tokens": 1 }
                }),
            )
        })
        .collect();
    json!({ "usage_to_metrics": metrics })
}

/// The stored cost of the conversation titled `title`, in micro-units.
async fn cost_of(app: &TestApp, title: &str) -> i64 {
    app.query_i64(&format!(
        "SELECT accumulated_cost_micros FROM conversations WHERE title = '{title}'"
    ))
    .await
}

#[tokio::test]
async fn agent_server_reports_beyond_the_bounds_are_refused_and_totals_never_overflow() {
    let app = spawn_app().await;
    let dev = app.register("usage.bounds@example.com", PASSWORD).await;
    let org = dev.org_id.clone();
    let sandbox = register_sandbox(&app, &dev, &org, "bounded").await;
    let key = Some(sandbox.key.as_str());
    let id = uuid::Uuid::new_v4().to_string();

    // Each metric within what one used to be capped at, their sum beyond the bound per report.
    let many = vec![(6e8, 10); 2];
    let (status, problem) = deliver(
        &app,
        key,
        "/conversations",
        &json!({ "id": id, "title": "bounded", "stats": stats(&many) }),
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("validation_failed")),
        "{problem}"
    );
    let (status, problem) = deliver(
        &app,
        key,
        "/conversations",
        &json!({ "id": id, "title": "bounded", "stats": stats(&[(1.0, 2_000_000_000_000)]) }),
    )
    .await;
    assert_eq!(status, 422, "more than 10^12 tokens: {problem}");
    assert_eq!(
        app.query_i64("SELECT COUNT(*) FROM conversations").await,
        0,
        "a refused report records nothing"
    );

    // Within the bounds: recorded, and counted against the org.
    let (status, body) = deliver(
        &app,
        key,
        "/conversations",
        &json!({ "id": id, "title": "bounded", "stats": stats(&[(1.0, 100)]) }),
    )
    .await;
    assert!((200..300).contains(&status), "{status} {body}");
    assert_eq!(cost_of(&app, "bounded").await, 1_000_000);

    // A state update in an event batch is held to the same bounds, and the whole batch refused.
    let batch = json!([
        { "id": "message-1", "kind": "MessageEvent" },
        { "id": "stats-1", "kind": "ConversationStateUpdateEvent", "key": "stats", "value": stats(&many) }
    ]);
    let (status, problem) = deliver(&app, key, &format!("/events/{id}"), &batch).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "[1].value", "{problem}");

    // An org whose spending total a runaway report left near overflow: the next report is refused
    // with 422 (never a 500), and nothing changes.
    let touched = app
        .execute_sql(&format!(
            "UPDATE spend_periods SET spent_micros = {NEAR_OVERFLOW}"
        ))
        .await;
    assert!(touched >= 1, "the org's spending rows");
    let (status, problem) = deliver(
        &app,
        key,
        "/conversations",
        &json!({ "id": id, "title": "bounded", "stats": stats(&[(2.0, 200)]) }),
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("validation_failed")),
        "{problem}"
    );
    assert_eq!(
        cost_of(&app, "bounded").await,
        1_000_000,
        "the refused report changed nothing"
    );
    let (status, problem) = deliver(
        &app,
        key,
        &format!("/events/{id}"),
        &json!([{ "id": "stats-2", "kind": "ConversationStateUpdateEvent", "key": "stats", "value": stats(&[(3.0, 300)]) }]),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        app.query_i64("SELECT MAX(spent_micros) FROM spend_periods").await,
        NEAR_OVERFLOW
    );
    // The org's usage still reads.
    let (status, usage) = app
        .call("GET", &dev.access_token, &format!("/api/orgs/{org}/usage"), None)
        .await;
    assert_eq!(status, 200, "{usage}");
}

#[tokio::test]
async fn usage_reports_that_would_carry_a_total_beyond_its_bound_are_refused() {
    let app = spawn_app().await;
    let dev = app.register("usage.totals@example.com", PASSWORD).await;
    let org = dev.org_id.clone();
    let token = &dev.access_token;
    let id = create_conversation(&app, token, &org, json!({ "title": "plain" })).await;
    let report = json!({ "prompt_tokens": 10, "completion_tokens": 5, "cost": 1.0 });
    let (status, body) = app.api(token).add_usage(&org, &id, report.clone()).await;
    assert_eq!(status, 200, "{body}");

    let (status, problem) = app
        .api(token)
        .add_usage(
            &org,
            &id,
            json!({ "prompt_tokens": 1_000_000_000_001_i64, "completion_tokens": 0, "cost": 0 }),
        )
        .await;
    assert_eq!(status, 422, "{problem}");

    // The conversation's total near overflow (as a saturated total left it).
    app.execute_sql(&format!(
        "UPDATE conversations SET accumulated_cost_micros = {NEAR_OVERFLOW} WHERE title = 'plain'"
    ))
    .await;
    let (status, problem) = app.api(token).add_usage(&org, &id, report.clone()).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("validation_failed")),
        "{problem}"
    );
    assert_eq!(cost_of(&app, "plain").await, NEAR_OVERFLOW, "nothing added");
    assert_eq!(
        app.query_i64("SELECT prompt_tokens FROM conversations WHERE title = 'plain'")
            .await,
        10,
        "no figure of the refused report was added"
    );

    // Another conversation of the org, with the org's spending near overflow.
    let other = create_conversation(&app, token, &org, json!({ "title": "other" })).await;
    app.execute_sql(&format!(
        "UPDATE spend_periods SET spent_micros = {NEAR_OVERFLOW}"
    ))
    .await;
    let (status, problem) = app.api(token).add_usage(&org, &other, report).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(cost_of(&app, "other").await, 0, "rolled back with the refusal");
}

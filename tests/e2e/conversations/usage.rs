//! Usage totals under concurrency.

use futures::future::join_all;
use serde_json::json;

use super::create_conversation;
use crate::{support::Cast, support::spawn_app};

#[tokio::test]
async fn fifty_concurrent_usage_reports_are_all_counted() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "usage", "Usage Co").await;
    let token = &cast.developer.access_token;
    let id = create_conversation(&app, token, &cast.org, json!({})).await;

    let reports = (0..50).map(|_| {
        let (app, org, id) = (&app, &cast.org, &id);
        async move {
            app.api(token)
                .add_usage(
                    org,
                    id,
                    json!({ "prompt_tokens": 10, "completion_tokens": 5, "cost": 0.01 }),
                )
                .await
        }
    });
    for (status, body) in join_all(reports).await {
        assert_eq!(status, 200, "{body}");
    }
    let (_, conversation) = app.api(token).conversation(&cast.org, &id).await;
    assert_eq!(conversation["prompt_tokens"], 500);
    assert_eq!(conversation["completion_tokens"], 250);
    assert_eq!(conversation["total_tokens"], 750);
    assert_eq!(
        conversation["accumulated_cost"],
        json!(0.5),
        "exact: 50 × 0.01 with no float drift"
    );
}

#[tokio::test]
async fn negative_or_out_of_range_usage_is_422_and_changes_nothing() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "badusage", "Bad Usage Co").await;
    let token = &cast.developer.access_token;
    let id = create_conversation(&app, token, &cast.org, json!({})).await;
    let usage_path = format!("/api/orgs/{}/conversations/{id}/usage", cast.org);
    for body in [
        json!({ "prompt_tokens": -1, "completion_tokens": 0, "cost": 0 }),
        json!({ "prompt_tokens": 0, "completion_tokens": -5, "cost": 0 }),
        json!({ "prompt_tokens": 0, "completion_tokens": 0, "cost": -0.5 }),
        json!({ "prompt_tokens": 0, "completion_tokens": 0, "cost": 1e300 }),
        json!({ "prompt_tokens": 0, "completion_tokens": 0 }),
    ] {
        let (status, problem) = app.api(token).add_usage(&cast.org, &id, body.clone()).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some("validation_failed")),
            "{body}"
        );
    }
    let overflow = app
        .post_raw_as(
            token,
            &usage_path,
            r#"{"prompt_tokens": 0, "completion_tokens": 0, "cost": 1e400}"#,
        )
        .await;
    assert_eq!(
        overflow.status(),
        400,
        "a number beyond f64 is not valid input JSON for us"
    );
    let (_, conversation) = app.api(token).conversation(&cast.org, &id).await;
    assert_eq!(
        (
            conversation["prompt_tokens"].as_i64(),
            conversation["accumulated_cost"].as_f64()
        ),
        (Some(0), Some(0.0))
    );
}

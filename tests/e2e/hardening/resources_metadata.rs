//! Starting a conversation on a sandbox checks its metadata as a plain create does: bounded
//! lengths, no control characters; refused with 422 before anything is sent or recorded.

use serde_json::json;

use super::PASSWORD;
use crate::support::spawn_app;

#[tokio::test]
async fn a_start_on_a_sandbox_checks_its_metadata_as_a_plain_create_does() {
    let app = spawn_app().await;
    let dev = app.register("start.metadata@example.com", PASSWORD).await;
    let org = dev.org_id.as_str();
    let api = app.api(&dev.access_token);
    // Nothing listens on the discard port: a start that got past the checks would fail there.
    let (status, sandbox) = api
        .register_sandbox(org, json!({ "name": "box", "url": "http://127.0.0.1:9/" }))
        .await;
    assert_eq!(status, 201, "{sandbox}");
    let sandbox = sandbox["id"].as_str().expect("id").to_owned();
    let long_title = "t".repeat(200_000);
    let cases = [
        (json!({ "title": long_title, "selected_branch": "main" }), "title"),
        (
            json!({ "title": "fine", "selected_branch": "ma\u{0}in" }),
            "selected_branch",
        ),
        (
            json!({ "selected_repository": "r".repeat(300) }),
            "selected_repository",
        ),
    ];
    for (metadata, field) in cases {
        let (plain, plain_problem) = api.create_conversation(org, metadata.clone()).await;
        assert_eq!(plain, 422, "plain create: {plain_problem}");
        let mut start = metadata.clone();
        start["sandbox_id"] = json!(sandbox);
        start["initial_message"] = json!("hello");
        let (status, problem) = api.create_conversation(org, start).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some("validation_failed")),
            "start with a bad {field}: {problem}"
        );
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .filter_map(|error| error["field"].as_str())
            .collect();
        assert!(fields.contains(&field), "{field}: {problem}");
    }
    assert_eq!(
        app.query_i64("SELECT COUNT(*) FROM conversations").await,
        0,
        "nothing was recorded"
    );
    // Good metadata passes the checks and goes on to the sandbox (which is not there).
    let (status, problem) = api
        .create_conversation(
            org,
            json!({
                "sandbox_id": sandbox,
                "initial_message": "hello",
                "title": "  fine  ",
                "selected_branch": "main"
            }),
        )
        .await;
    assert_ne!(problem["code"], "validation_failed", "{status} {problem}");
}

use serde_json::Value;

use crate::support::{spawn_app, spawn_app_with};

#[tokio::test]
async fn healthz_answers_while_the_process_runs() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn readyz_is_200_when_database_and_store_answer() {
    let app = spawn_app().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["status"], "ready");
}

#[tokio::test]
async fn readyz_is_503_when_the_object_store_fails() {
    // A local directory we can break; the S3 case is covered by an unreachable endpoint below.
    let app = spawn_app_with(|config| config.storage.url = None).await;
    let objects = app.data_dir.join("objects");
    std::fs::remove_dir_all(&objects).expect("remove store directory");
    std::fs::write(&objects, b"not a directory").expect("block the store");

    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.expect("json");
    let failed: Vec<&str> = body["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|check| check["ok"] == false)
        .filter_map(|check| check["name"].as_str())
        .collect();
    assert_eq!(failed, ["object_store"]);

    std::fs::remove_file(&objects).expect("unblock");
    std::fs::create_dir(&objects).expect("restore");
    assert_eq!(app.get("/readyz").await.status(), 200);
}

#[tokio::test]
async fn unknown_routes_are_problem_documents() {
    let app = spawn_app().await;
    let response = app.get("/api/no-such-thing").await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.headers()["content-type"].to_str().expect("ascii"),
        "application/problem+json"
    );
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["code"], "not_found");
    assert_eq!(body["status"], 404);
}

#[tokio::test]
async fn readyz_is_503_when_s3_does_not_answer() {
    let app = spawn_app_with(|config| {
        config.storage.url = Some("s3://nowhere/prefix".into());
        config.storage.s3_endpoint = Some(format!("http://127.0.0.1:{}", crate::support::free_port()));
        config.storage.s3_access_key_id = Some("test".into());
        config.storage.s3_secret_access_key = Some("test".into());
        config.storage.s3_region = Some("us-east-1".into());
        config.storage.max_retries = 0;
        config.storage.request_timeout_ms = 1000;
    })
    .await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    assert_eq!(
        app.get("/healthz").await.status(),
        200,
        "liveness does not depend on the store"
    );
}

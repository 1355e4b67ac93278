//! Operability: security headers, request ids, metrics.

use serde_json::Value;

use crate::support::spawn_app;

#[tokio::test]
async fn every_response_carries_security_headers_and_no_server_banner() {
    let app = spawn_app().await;
    for path in ["/healthz", "/api/auth/me", "/no-such-route"] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert!(
            headers["content-security-policy"]
                .to_str()
                .expect("ascii")
                .contains("default-src 'none'")
        );
        assert_eq!(headers["x-frame-options"], "DENY");
        assert!(headers.get("server").is_none(), "no version banner");
        assert!(
            headers.get("strict-transport-security").is_none(),
            "HSTS only when configured"
        );
    }
    let tls = crate::support::spawn_app_with(|config| config.http.hsts = true).await;
    let response = tls.get("/healthz").await;
    assert!(
        response.headers()["strict-transport-security"]
            .to_str()
            .expect("ascii")
            .starts_with("max-age=")
    );
}

#[tokio::test]
async fn request_ids_are_echoed_in_headers_and_problem_documents() {
    let app = spawn_app().await;
    let response = app.get("/api/auth/me").await;
    let generated = response.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(generated.len(), 32);
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["request_id"], generated.as_str());

    let response = app
        .client
        .get(app.url("/api/auth/me"))
        .header("X-Request-Id", "trace-abc_123")
        .send()
        .await
        .expect("request");
    assert_eq!(
        response.headers()["x-request-id"],
        "trace-abc_123",
        "a sane incoming id is kept"
    );
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("X-Request-Id", "bad id with spaces")
        .send()
        .await
        .expect("request");
    assert_ne!(
        response.headers()["x-request-id"],
        "bad id with spaces",
        "an unsafe one is replaced"
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_and_show_the_pool() {
    let app = spawn_app().await;
    for _ in 0..3 {
        app.get("/healthz").await;
    }
    app.get("/api/auth/me").await;
    app.get("/readyz").await;
    let text = app.get("/metrics").await.text().await.expect("text");
    assert!(
        text.lines()
            .any(|line| line.starts_with("tenantry_http_requests_total")
                && line.contains("route=\"/healthz\"")
                && line.contains("status=\"200\"")
                && line.ends_with(" 3")),
        "{text}"
    );
    assert!(text.contains("route=\"/api/auth/me\",status=\"401\""));
    assert!(text.contains("tenantry_http_request_duration_seconds_bucket"));
    assert!(text.contains("tenantry_db_pool_connections"));
    // Eight per pool in tests; PostgreSQL has a pool of single reads beside the other.
    let limit = if app.database.is_postgres() { 16 } else { 8 };
    assert!(
        text.lines()
            .any(|line| line == format!("tenantry_db_pool_max_connections {limit}")),
        "the limit counts every pool: {text}"
    );
    assert!(
        text.contains(
            "tenantry_event_store_call_duration_seconds_count{operation=\"probe\",outcome=\"ok\"} 1"
        ),
        "event-store calls are counted: {text}"
    );
}

#[tokio::test]
async fn the_openapi_document_and_the_reference_are_served() {
    let app = spawn_app().await;
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    let spec: Value = response.json().await.expect("json");
    assert!(spec["openapi"].as_str().expect("version").starts_with("3.1"));
    assert!(spec["paths"]["/api/orgs/{org_id}/conversations/{id}/events"]["post"].is_object());
    let docs = app.get("/docs").await;
    assert_eq!(docs.status(), 200);
    assert!(
        docs.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/html")
    );
    assert!(
        docs.text()
            .await
            .expect("html")
            .contains("/docs/swagger-initializer.js"),
        "the reference loads its viewer from this server"
    );

    let dir = tempfile::tempdir().expect("dir");
    let printed = crate::support::tenantry_command(dir.path())
        .arg("openapi")
        .output()
        .expect("run");
    assert!(printed.status.success());
    let printed: Value = serde_json::from_slice(&printed.stdout).expect("json");
    assert_eq!(printed, spec, "`tenantry openapi` prints the served document");
}

#[tokio::test]
async fn a_wrong_method_on_a_known_path_is_405_with_allow() {
    let app = spawn_app().await;
    let response = app
        .client
        .delete(app.url("/api/auth/login"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    let response = app
        .client
        .put(app.url("/api/orgs/0190e7d4-0000-7000-8000-000000000000"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET, PATCH, DELETE");
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["code"], "method_not_allowed");
    assert_eq!(
        app.client
            .put(app.url("/api/nothing-here"))
            .send()
            .await
            .expect("request")
            .status(),
        404
    );
}

#[tokio::test]
async fn metrics_can_have_a_listener_of_their_own() {
    let port = crate::support::free_port();
    let app = crate::support::spawn_app_with(move |config| {
        config.http.metrics_bind = Some(format!("127.0.0.1:{port}"));
    })
    .await;
    assert_eq!(
        app.get("/metrics").await.status(),
        404,
        "not on the public listener"
    );
    let text = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .expect("request")
        .text()
        .await
        .expect("text");
    assert!(text.contains("tenantry_db_pool_connections"));
    let other = reqwest::get(format!("http://127.0.0.1:{port}/api/auth/me"))
        .await
        .expect("request");
    assert_eq!(other.status(), 404, "the metrics listener serves nothing else");
}

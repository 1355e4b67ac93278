use futures::future::join_all;
use serde_json::{Value, json};

use super::PASSWORD;
use crate::support::spawn_app;

#[tokio::test]
async fn register_creates_user_personal_org_and_owner_membership() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/api/auth/register",
            &json!({ "email": "  Alice@Example.COM ", "password": PASSWORD, "name": "Alice" }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["user"]["email"], "alice@example.com");
    assert_eq!(body["user"]["name"], "Alice");
    assert_eq!(body["user"]["email_verified"], false);
    assert_eq!(body["org"]["personal"], true);
    assert_eq!(body["org"]["name"], "Alice");
    assert_eq!(body["org"]["role"], "owner");
    assert_eq!(body["user"]["current_org_id"], body["org"]["id"]);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(
        body["access_token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
    assert!(body["refresh_token"].as_str().is_some_and(|t| t.len() >= 43));

    let me: Value = app
        .get_as(body["access_token"].as_str().expect("token"), "/api/auth/me")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["id"], body["user"]["id"]);
    for field in [
        "id",
        "email",
        "name",
        "email_verified",
        "current_org_id",
        "is_superadmin",
        "created_at",
    ] {
        assert!(me.get(field).is_some(), "me has {field}");
    }
    assert!(me.get("password_hash").is_none());
}

#[tokio::test]
async fn emails_are_case_insensitive_and_unique() {
    let app = spawn_app().await;
    app.register("bob@example.com", PASSWORD).await;
    let again = app
        .post_json(
            "/api/auth/register",
            &json!({ "email": "BOB@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(again.status(), 409);
    let body: Value = again.json().await.expect("json");
    assert_eq!(body["code"], "email_taken");

    let (status, _) = app.login("  Bob@Example.com", PASSWORD).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn password_rules_are_enforced() {
    let app = spawn_app().await;
    let long = "x".repeat(129);
    for (password, why) in [
        ("short pass", "shorter than 12"),
        (long.as_str(), "longer than 128"),
        ("carol@example.com", "equal to the email"),
        ("qwerty123456", "a common password"),
    ] {
        let response = app
            .post_json(
                "/api/auth/register",
                &json!({ "email": "carol@example.com", "password": password }),
            )
            .await;
        assert_eq!(response.status(), 422, "{why}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["code"], "validation_failed");
        assert_eq!(body["errors"][0]["field"], "password", "{why}");
    }
    // Twelve characters of any script are enough, and exactly what was typed is what counts.
    app.register("carol@example.com", "ñandú ñandú ").await;
    assert_eq!(app.login("carol@example.com", "ñandú ñandú ").await.0, 200);
    assert_eq!(app.login("carol@example.com", "ñandú ñandú").await.0, 401);
}

#[tokio::test]
async fn concurrent_registrations_of_one_email_create_one_account() {
    let app = spawn_app().await;
    let attempts = (0..8).map(|n| {
        let app = &app;
        async move {
            let email = if n % 2 == 0 {
                "dave@example.com"
            } else {
                "DAVE@example.com"
            };
            let response = app
                .post_json(
                    "/api/auth/register",
                    &json!({ "email": email, "password": PASSWORD }),
                )
                .await;
            let status = response.status().as_u16();
            let body: Value = response.json().await.expect("json");
            (status, body)
        }
    });
    let outcomes = join_all(attempts).await;
    let created = outcomes.iter().filter(|(status, _)| *status == 201).count();
    assert_eq!(created, 1, "{outcomes:?}");
    for (status, body) in outcomes.iter().filter(|(status, _)| *status != 201) {
        assert_eq!(*status, 409);
        assert_eq!(body["code"], "email_taken");
    }
}

#[tokio::test]
async fn malformed_requests_get_problem_documents() {
    let app = spawn_app_small_bodies().await;
    let cases = [
        (
            app.post_raw("/api/auth/register", "application/json", "{\"email\": ")
                .await,
            400,
            "bad_request",
        ),
        (
            app.post_raw("/api/auth/register", "text/plain", "hello").await,
            415,
            "unsupported_media_type",
        ),
        (
            app.post_raw(
                "/api/auth/register",
                "application/json",
                format!("{{\"email\": \"{}\"}}", "a".repeat(4096)),
            )
            .await,
            413,
            "payload_too_large",
        ),
        (
            app.post_raw("/api/auth/register", "application/json", "{\"email\": 5}")
                .await,
            422,
            "validation_failed",
        ),
    ];
    for (response, status, code) in cases {
        assert_eq!(response.status(), status, "{code}");
        assert_eq!(
            response.headers()["content-type"].to_str().expect("ascii"),
            "application/problem+json"
        );
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["code"], code);
        assert_eq!(body["status"], status);
    }
}

async fn spawn_app_small_bodies() -> crate::support::TestApp {
    crate::support::spawn_app_with(|config| config.http.body_limit_bytes = 1024).await
}

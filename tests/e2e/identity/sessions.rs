use serde_json::{Value, json};

use super::PASSWORD;
use crate::support::spawn_app;

#[tokio::test]
async fn logout_ends_that_session_only() {
    let app = spawn_app().await;
    let first = app.register("judy@example.com", PASSWORD).await;
    let (_, second) = app.login("judy@example.com", PASSWORD).await;

    let response = app
        .post_json(
            "/api/auth/logout",
            &json!({ "refresh_token": first.refresh_token }),
        )
        .await;
    assert_eq!(response.status(), 204);
    let refresh_first = app
        .post_json(
            "/api/auth/refresh",
            &json!({ "refresh_token": first.refresh_token }),
        )
        .await;
    assert_eq!(refresh_first.status(), 401);
    let refresh_second = app
        .post_json(
            "/api/auth/refresh",
            &json!({ "refresh_token": second["refresh_token"] }),
        )
        .await;
    assert_eq!(refresh_second.status(), 200);
}

#[tokio::test]
async fn logout_all_stops_every_access_and_refresh_token_at_the_next_request() {
    let app = spawn_app().await;
    let first = app.register("kim@example.com", PASSWORD).await;
    let (_, second) = app.login("kim@example.com", PASSWORD).await;
    let second_access = second["access_token"].as_str().expect("token");
    assert_eq!(app.get_as(second_access, "/api/auth/me").await.status(), 200);

    let response = app
        .post_json_as(&first.access_token, "/api/auth/logout-all", &json!({}))
        .await;
    assert_eq!(response.status(), 204);

    assert_eq!(
        app.get_as(&first.access_token, "/api/auth/me").await.status(),
        401
    );
    assert_eq!(app.get_as(second_access, "/api/auth/me").await.status(), 401);
    for token in [
        first.refresh_token.as_str(),
        second["refresh_token"].as_str().expect("token"),
    ] {
        let refresh = app
            .post_json("/api/auth/refresh", &json!({ "refresh_token": token }))
            .await;
        assert_eq!(refresh.status(), 401);
    }
    assert_eq!(
        app.login("kim@example.com", PASSWORD).await.0,
        200,
        "signing in again works"
    );
}

#[tokio::test]
async fn changing_the_password_revokes_other_sessions() {
    let app = spawn_app().await;
    let mine = app.register("leo@example.com", PASSWORD).await;
    let (_, other) = app.login("leo@example.com", PASSWORD).await;

    let wrong = app
        .post_json_as(
            &mine.access_token,
            "/api/auth/password",
            &json!({ "current_password": "not my password", "new_password": "a brand new passphrase" }),
        )
        .await;
    assert_eq!(wrong.status(), 422);
    let body: Value = wrong.json().await.expect("json");
    assert_eq!(body["errors"][0]["field"], "current_password");

    let weak = app
        .post_json_as(
            &mine.access_token,
            "/api/auth/password",
            &json!({ "current_password": PASSWORD, "new_password": "short" }),
        )
        .await;
    assert_eq!(weak.status(), 422);

    let changed = app
        .post_json_as(
            &mine.access_token,
            "/api/auth/password",
            &json!({ "current_password": PASSWORD, "new_password": "a brand new passphrase" }),
        )
        .await;
    assert_eq!(changed.status(), 204);

    // Every access token issued before is stale, including the caller's ...
    assert_eq!(app.get_as(&mine.access_token, "/api/auth/me").await.status(), 401);
    assert_eq!(
        app.get_as(other["access_token"].as_str().expect("t"), "/api/auth/me")
            .await
            .status(),
        401
    );
    // ... but the caller's own session refreshes; the other session is gone.
    let own = app
        .post_json(
            "/api/auth/refresh",
            &json!({ "refresh_token": mine.refresh_token }),
        )
        .await;
    assert_eq!(own.status(), 200);
    let others = app
        .post_json(
            "/api/auth/refresh",
            &json!({ "refresh_token": other["refresh_token"] }),
        )
        .await;
    assert_eq!(others.status(), 401);

    assert_eq!(app.login("leo@example.com", PASSWORD).await.0, 401);
    assert_eq!(
        app.login("leo@example.com", "a brand new passphrase").await.0,
        200
    );
}

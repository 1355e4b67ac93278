use std::time::Duration;

use serde_json::{Value, json};

use super::PASSWORD;
use crate::support::{TestApp, spawn_app, spawn_app_with};

async fn refresh(app: &TestApp, token: &str) -> (u16, Value) {
    let response = app
        .post_json("/api/auth/refresh", &json!({ "refresh_token": token }))
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn refresh_rotates_and_the_new_pair_works() {
    let app = spawn_app().await;
    let session = app.register("frank@example.com", PASSWORD).await;
    let (status, pair) = refresh(&app, &session.refresh_token).await;
    assert_eq!(status, 200);
    let new_refresh = pair["refresh_token"].as_str().expect("refresh token");
    assert_ne!(new_refresh, session.refresh_token);
    assert_eq!(pair["token_type"], "Bearer");
    let access = pair["access_token"].as_str().expect("access token");
    assert_eq!(app.get_as(access, "/api/auth/me").await.status(), 200);
    assert_eq!(refresh(&app, new_refresh).await.0, 200, "the successor is live");
}

#[tokio::test]
async fn reusing_a_spent_token_revokes_the_whole_family() {
    let app = spawn_app().await;
    let session = app.register("grace@example.com", PASSWORD).await;
    let (_, first) = refresh(&app, &session.refresh_token).await;
    let successor = first["refresh_token"].as_str().expect("token").to_owned();

    let (status, body) = refresh(&app, &session.refresh_token).await;
    assert_eq!(status, 401, "the spent token is refused");
    assert_eq!(body["code"], "unauthorized");
    assert_eq!(refresh(&app, &successor).await.0, 401, "its family died with it");

    // Other sessions of the same user are separate families and survive.
    let (status, other) = app.login("grace@example.com", PASSWORD).await;
    assert_eq!(status, 200);
    assert_eq!(
        refresh(&app, other["refresh_token"].as_str().expect("token"))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn two_parallel_refreshes_of_one_token_let_exactly_one_through() {
    let app = spawn_app().await;
    let session = app.register("heidi@example.com", PASSWORD).await;
    let (a, b) = tokio::join!(
        refresh(&app, &session.refresh_token),
        refresh(&app, &session.refresh_token)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [200, 401], "one rotation wins, the other is a reuse");
    let winner = if a.0 == 200 { a.1 } else { b.1 };
    let successor = winner["refresh_token"].as_str().expect("token");
    assert_eq!(
        refresh(&app, successor).await.0,
        401,
        "the reuse revoked the family"
    );
}

#[tokio::test]
async fn unknown_refresh_tokens_are_401() {
    let app = spawn_app().await;
    assert_eq!(refresh(&app, "nope").await.0, 401);
    assert_eq!(refresh(&app, "").await.0, 401);
}

#[tokio::test]
async fn a_family_expires_at_its_absolute_lifetime_however_often_it_rotates() {
    let app = spawn_app_with(|config| config.auth.refresh_ttl_secs = 2).await;
    let session = app.register("ivan@example.com", PASSWORD).await;
    let (status, pair) = refresh(&app, &session.refresh_token).await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(
        refresh(&app, pair["refresh_token"].as_str().expect("token"))
            .await
            .0,
        401
    );
}

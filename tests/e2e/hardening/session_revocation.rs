//! An access token ends with its session: logout, refresh-token reuse, password change and reset
//! take effect at the next request, not when the token expires.

use serde_json::json;

use super::PASSWORD;
use crate::support::{TestApp, spawn_app, token_in_mail};

async fn me(app: &TestApp, token: &str) -> u16 {
    app.get_as(token, "/api/auth/me").await.status().as_u16()
}

#[tokio::test]
async fn logout_ends_the_access_token_of_that_session_only() {
    let app = spawn_app().await;
    let first = app.register("logout.sessions@example.com", PASSWORD).await;
    let (_, second) = app.login("logout.sessions@example.com", PASSWORD).await;
    let second_access = second["access_token"].as_str().expect("token");
    let logout = app
        .post_json(
            "/api/auth/logout",
            &json!({ "refresh_token": first.refresh_token }),
        )
        .await;
    assert_eq!(logout.status(), 204);
    assert_eq!(
        me(&app, &first.access_token).await,
        401,
        "the logged-out session's token"
    );
    assert_eq!(me(&app, second_access).await, 200, "another session stays");
}

#[tokio::test]
async fn refresh_token_reuse_ends_the_family_access_token_too() {
    let app = spawn_app().await;
    let session = app.register("reuse.sessions@example.com", PASSWORD).await;
    let rotated = app
        .post_json(
            "/api/auth/refresh",
            &json!({ "refresh_token": session.refresh_token }),
        )
        .await;
    assert_eq!(rotated.status(), 200);
    let rotated: serde_json::Value = rotated.json().await.expect("json");
    let current_access = rotated["access_token"].as_str().expect("token").to_owned();
    assert_eq!(me(&app, &current_access).await, 200);
    // The spent token is presented again (a thief replaying it): the whole family ends.
    let replay = app
        .post_json(
            "/api/auth/refresh",
            &json!({ "refresh_token": session.refresh_token }),
        )
        .await;
    assert_eq!(replay.status(), 401);
    assert_eq!(me(&app, &current_access).await, 401);
    assert_eq!(me(&app, &session.access_token).await, 401);
}

#[tokio::test]
async fn password_change_ends_other_sessions_at_once_and_keeps_the_callers() {
    let app = spawn_app().await;
    let mine = app.register("change.sessions@example.com", PASSWORD).await;
    let (_, other) = app.login("change.sessions@example.com", PASSWORD).await;
    let other_access = other["access_token"].as_str().expect("token");
    let (status, _) = app
        .api(&mine.access_token)
        .change_password(json!({ "current_password": PASSWORD, "new_password": "another long passphrase" }))
        .await;
    assert_eq!(status, 204);
    assert_eq!(me(&app, other_access).await, 401);
    let refreshed = app
        .post_json(
            "/api/auth/refresh",
            &json!({ "refresh_token": mine.refresh_token }),
        )
        .await;
    assert_eq!(refreshed.status(), 200, "the caller's own session goes on");
}

#[tokio::test]
async fn a_reset_spends_every_other_reset_token_of_the_account() {
    let app = spawn_app().await;
    app.register("tokens.sessions@example.com", PASSWORD).await;
    for _ in 0..2 {
        let response = app
            .post_json(
                "/api/auth/password-reset/request",
                &json!({ "email": "tokens.sessions@example.com" }),
            )
            .await;
        assert_eq!(response.status(), 202);
    }
    let mails = app.wait_for_mail("tokens.sessions@example.com", 2).await;
    let first = token_in_mail(&mails[0]);
    let second = token_in_mail(&mails[1]);
    let reset = app
        .post_json(
            "/api/auth/password-reset",
            &json!({ "token": first, "new_password": "the account is mine again" }),
        )
        .await;
    assert_eq!(reset.status(), 204);
    let other = app
        .post_json(
            "/api/auth/password-reset",
            &json!({ "token": second, "new_password": "or so they thought it was" }),
        )
        .await;
    assert_eq!(
        other.status(),
        404,
        "the other reset token was spent by the reset"
    );
    assert_eq!(
        app.login("tokens.sessions@example.com", "the account is mine again")
            .await
            .0,
        200
    );
}

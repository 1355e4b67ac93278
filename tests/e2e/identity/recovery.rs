use std::time::Duration;

use serde_json::{Value, json};

use super::PASSWORD;
use crate::support::{spawn_app, spawn_app_with, token_in_mail};

#[tokio::test]
async fn email_verification_goes_through_the_mail_once() {
    let app = spawn_app().await;
    let session = app.register("mallory@example.com", PASSWORD).await;
    let request = app
        .post_json_as(
            &session.access_token,
            "/api/auth/verify-email/request",
            &json!({}),
        )
        .await;
    assert_eq!(request.status(), 202);

    let mails = app.mail_to("mallory@example.com");
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("Subject: Verify your email address"));
    assert!(mails[0].contains("/verify-email?token="));
    let token = token_in_mail(&mails[0]);

    let verify = app
        .post_json("/api/auth/verify-email", &json!({ "token": token }))
        .await;
    assert_eq!(verify.status(), 204);
    let me: Value = app
        .get_as(&session.access_token, "/api/auth/me")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["email_verified"], true);

    let again = app
        .post_json("/api/auth/verify-email", &json!({ "token": token }))
        .await;
    assert_eq!(again.status(), 404, "a spent token is unknown");
}

#[tokio::test]
async fn mailed_links_point_at_the_port_served_on_when_no_public_url_is_set() {
    let app = spawn_app_with(|config| config.auth.public_url = None).await;
    let session = app.register("nia@example.com", PASSWORD).await;
    let request = app
        .post_json_as(
            &session.access_token,
            "/api/auth/verify-email/request",
            &json!({}),
        )
        .await;
    assert_eq!(request.status(), 202);
    let mail = app
        .mail_to("nia@example.com")
        .remove(0)
        .replace("=\r\n", "")
        .replace("=\n", "");
    // The test server listens on a random port, never the 8080 of the defaults.
    let link = format!("{}/verify-email?token=", app.address);
    assert!(mail.contains(&link), "no link to {link} in:\n{mail}");
}

#[tokio::test]
async fn late_verification_tokens_are_410() {
    let app = spawn_app_with(|config| config.auth.verification_ttl_secs = 1).await;
    let session = app.register("nina@example.com", PASSWORD).await;
    app.post_json_as(
        &session.access_token,
        "/api/auth/verify-email/request",
        &json!({}),
    )
    .await;
    let token = token_in_mail(&app.mail_to("nina@example.com")[0]);
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let late = app
        .post_json("/api/auth/verify-email", &json!({ "token": token }))
        .await;
    assert_eq!(late.status(), 410);
    let body: Value = late.json().await.expect("json");
    assert_eq!(body["code"], "token_expired");
}

#[tokio::test]
async fn password_reset_sets_a_new_password_once_and_revokes_every_session() {
    let app = spawn_app().await;
    let session = app.register("oscar@example.com", PASSWORD).await;

    let unknown = app
        .post_json(
            "/api/auth/password-reset/request",
            &json!({ "email": "nobody@example.com" }),
        )
        .await;
    assert_eq!(unknown.status(), 202, "unknown emails get the same answer");
    assert!(app.mail_to("nobody@example.com").is_empty());

    let request = app
        .post_json(
            "/api/auth/password-reset/request",
            &json!({ "email": "OSCAR@example.com" }),
        )
        .await;
    assert_eq!(request.status(), 202);
    let mails = app.wait_for_mail("oscar@example.com", 1).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("Subject: Reset your password"));
    let token = token_in_mail(&mails[0]);

    let weak = app
        .post_json(
            "/api/auth/password-reset",
            &json!({ "token": token, "new_password": "oscar@example.com" }),
        )
        .await;
    assert_eq!(weak.status(), 422, "the new password follows the rules");

    let reset = app
        .post_json(
            "/api/auth/password-reset",
            &json!({ "token": token, "new_password": "reset to something new" }),
        )
        .await;
    assert_eq!(reset.status(), 204);

    assert_eq!(
        app.get_as(&session.access_token, "/api/auth/me").await.status(),
        401
    );
    let refresh = app
        .post_json(
            "/api/auth/refresh",
            &json!({ "refresh_token": session.refresh_token }),
        )
        .await;
    assert_eq!(refresh.status(), 401);
    assert_eq!(app.login("oscar@example.com", PASSWORD).await.0, 401);
    assert_eq!(
        app.login("oscar@example.com", "reset to something new").await.0,
        200
    );

    let twice = app
        .post_json(
            "/api/auth/password-reset",
            &json!({ "token": token, "new_password": "and yet another one" }),
        )
        .await;
    assert_eq!(twice.status(), 404, "a reset token works once");
    assert_eq!(
        app.login("oscar@example.com", "reset to something new").await.0,
        200
    );
}

#[tokio::test]
async fn late_reset_tokens_are_410_and_change_nothing() {
    let app = spawn_app_with(|config| config.auth.reset_ttl_secs = 1).await;
    app.register("peggy@example.com", PASSWORD).await;
    app.post_json(
        "/api/auth/password-reset/request",
        &json!({ "email": "peggy@example.com" }),
    )
    .await;
    let token = token_in_mail(&app.wait_for_mail("peggy@example.com", 1).await[0]);
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let late = app
        .post_json(
            "/api/auth/password-reset",
            &json!({ "token": token, "new_password": "too late for this" }),
        )
        .await;
    assert_eq!(late.status(), 410);
    assert_eq!(app.login("peggy@example.com", PASSWORD).await.0, 200);
}

#[tokio::test]
async fn verification_tokens_do_not_reset_passwords() {
    let app = spawn_app().await;
    let session = app.register("quinn@example.com", PASSWORD).await;
    app.post_json_as(
        &session.access_token,
        "/api/auth/verify-email/request",
        &json!({}),
    )
    .await;
    let token = token_in_mail(&app.mail_to("quinn@example.com")[0]);
    let misuse = app
        .post_json(
            "/api/auth/password-reset",
            &json!({ "token": token, "new_password": "hijacked password" }),
        )
        .await;
    assert_eq!(misuse.status(), 404);
    assert_eq!(app.login("quinn@example.com", PASSWORD).await.0, 200);
}

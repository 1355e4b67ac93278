//! Password reset requests: at most three mails an hour per account, a limit per client address,
//! and the same answer for known and unknown emails because the work happens after it.

use std::time::Duration;

use serde_json::json;

use super::PASSWORD;
use crate::support::{free_port, spawn_app, spawn_app_with};

async fn request_reset(app: &crate::support::TestApp, email: &str) -> u16 {
    app.post_json("/api/auth/password-reset/request", &json!({ "email": email }))
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn an_account_gets_at_most_three_reset_mails_an_hour() {
    let app = spawn_app().await;
    app.register("flooded@example.com", PASSWORD).await;
    for _ in 0..6 {
        assert_eq!(request_reset(&app, "flooded@example.com").await, 202);
    }
    app.wait_for_mail("flooded@example.com", 3).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.mail_to("flooded@example.com").len(), 3, "no fourth mail");
}

#[tokio::test]
async fn one_address_asking_too_often_gets_429() {
    let app = spawn_app_with(|config| config.auth.throttle.reset_requests_per_address_per_hour = 4).await;
    for n in 0..4 {
        assert_eq!(request_reset(&app, &format!("someone{n}@example.com")).await, 202);
    }
    let response = app
        .post_json(
            "/api/auth/password-reset/request",
            &json!({ "email": "someone9@example.com" }),
        )
        .await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn known_and_unknown_emails_get_the_same_answer_even_when_mail_fails() {
    // Mail goes to an SMTP server that is not there: before, only known emails tried (and failed).
    let port = free_port();
    let app = spawn_app_with(move |config| {
        config.mail.transport = tenantry::config::MailTransport::Smtp;
        config.mail.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into());
    })
    .await;
    app.register("known.smtp@example.com", PASSWORD).await;
    let known = app
        .post_json(
            "/api/auth/password-reset/request",
            &json!({ "email": "known.smtp@example.com" }),
        )
        .await;
    let unknown = app
        .post_json(
            "/api/auth/password-reset/request",
            &json!({ "email": "unknown.smtp@example.com" }),
        )
        .await;
    assert_eq!(known.status(), 202);
    assert_eq!(unknown.status(), 202);
    assert_eq!(
        known.headers().get("content-length"),
        unknown.headers().get("content-length")
    );
    assert_eq!(
        known.text().await.expect("body"),
        unknown.text().await.expect("body")
    );
}

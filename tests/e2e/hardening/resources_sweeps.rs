//! The background sweep deletes single-use rows nothing needs any more: stream tickets and
//! one-time tokens spent or expired more than the grace ago, and nothing that still works.

use std::time::Duration;

use serde_json::json;

use super::PASSWORD;
use crate::{
    conversations::create_conversation,
    support::{TestApp, spawn_app_with},
};

/// Long before any sweep's grace.
const LONG_AGO: &str = "2020-01-01T00:00:00Z";

/// Waits (up to ten seconds) until `sql` counts `expected`; the last count.
async fn settles_at(app: &TestApp, sql: &str, expected: i64) -> i64 {
    let mut count = app.query_i64(sql).await;
    for _ in 0..100 {
        if count == expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        count = app.query_i64(sql).await;
    }
    count
}

/// Mints a stream ticket.
async fn ticket(app: &TestApp, token: &str, org: &str, id: &str) -> String {
    let (status, issued) = app.api(token).stream_ticket(org, id).await;
    assert!((200..300).contains(&status), "{issued}");
    issued["ticket"].as_str().expect("ticket").to_owned()
}

/// Spends a stream ticket by opening the stream (closed again at once).
async fn redeem(app: &TestApp, org: &str, id: &str, ticket: String) {
    let response = app
        .get(&format!(
            "/api/orgs/{org}/conversations/{id}/events/stream?ticket={ticket}"
        ))
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn spent_and_expired_stream_tickets_are_swept_and_working_ones_kept() {
    let app = spawn_app_with(|config| config.storage.sweep_interval_secs = 1).await;
    let dev = app.register("sweep.tickets@example.com", PASSWORD).await;
    let (org, token) = (dev.org_id.as_str(), dev.access_token.as_str());
    let id = create_conversation(&app, token, org, json!({})).await;
    // Expired long ago, never used.
    for _ in 0..30 {
        ticket(&app, token, org, &id).await;
    }
    app.execute_sql(&format!("UPDATE stream_tickets SET expires_at = '{LONG_AGO}'"))
        .await;
    // Spent long ago (still unexpired).
    redeem(&app, org, &id, ticket(&app, token, org, &id).await).await;
    app.execute_sql(&format!(
        "UPDATE stream_tickets SET used_at = '{LONG_AGO}' WHERE used_at IS NOT NULL"
    ))
    .await;
    // Spent just now, and not used yet: both kept.
    redeem(&app, org, &id, ticket(&app, token, org, &id).await).await;
    ticket(&app, token, org, &id).await;
    ticket(&app, token, org, &id).await;

    let left = settles_at(&app, "SELECT COUNT(*) FROM stream_tickets", 3).await;
    assert_eq!(left, 3, "the spent-just-now ticket and the two unused ones");
    assert_eq!(
        app.query_i64(&format!(
            "SELECT COUNT(*) FROM stream_tickets WHERE expires_at = '{LONG_AGO}' OR used_at = '{LONG_AGO}'"
        ))
        .await,
        0
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        app.query_i64("SELECT COUNT(*) FROM stream_tickets").await,
        3,
        "later sweeps keep what still works"
    );
}

#[tokio::test]
async fn spent_and_expired_one_time_tokens_are_swept_and_working_ones_kept() {
    let app = spawn_app_with(|config| config.storage.sweep_interval_secs = 1).await;
    let emails = [
        "sweep.expired@example.com",
        "sweep.spent@example.com",
        "sweep.fresh@example.com",
    ];
    for email in emails {
        app.register(email, PASSWORD).await;
        let response = app
            .post_json("/api/auth/password-reset/request", &json!({ "email": email }))
            .await;
        assert_eq!(response.status(), 202);
        app.wait_for_mail(email, 1).await;
    }
    let of = |email: &str| {
        format!("purpose = 'reset_password' AND user_id IN (SELECT id FROM users WHERE email = '{email}')")
    };
    let count = |email: &str| format!("SELECT COUNT(*) FROM one_time_tokens WHERE {}", of(email));
    for email in emails {
        let minted = app.query_i64(&count(email)).await;
        assert!(minted >= 1, "{email}: {minted}");
    }
    let before = app.query_i64("SELECT COUNT(*) FROM one_time_tokens").await;
    let expired = app
        .execute_sql(&format!(
            "UPDATE one_time_tokens SET expires_at = '{LONG_AGO}' WHERE {}",
            of(emails[0])
        ))
        .await;
    let spent = app
        .execute_sql(&format!(
            "UPDATE one_time_tokens SET used_at = '{LONG_AGO}' WHERE {}",
            of(emails[1])
        ))
        .await;
    assert!(expired >= 1 && spent >= 1);

    assert_eq!(
        settles_at(&app, &count(emails[0]), 0).await,
        0,
        "expired long ago"
    );
    assert_eq!(settles_at(&app, &count(emails[1]), 0).await, 0, "spent long ago");
    assert!(
        app.query_i64(&count(emails[2])).await >= 1,
        "a working token is kept"
    );
    assert_eq!(
        app.query_i64("SELECT COUNT(*) FROM one_time_tokens").await,
        before - i64::try_from(expired + spent).expect("count"),
        "only the spent and the expired ones went"
    );
}

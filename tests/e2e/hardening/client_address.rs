//! The client address comes from forwarding headers only through trusted proxies, as the rightmost
//! hop they did not add; throttle rows per address expire and are swept.

use std::time::Duration;

use serde_json::json;

use super::PASSWORD;
use crate::support::{TestApp, spawn_app_with};

async fn login_from(app: &TestApp, forwarded_for: &str, email: &str, password: &str) -> u16 {
    app.client
        .post(app.url("/api/auth/login"))
        .header("X-Forwarded-For", forwarded_for)
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_spoofed_leftmost_entry_does_not_escape_the_address_lock() {
    let app = spawn_app_with(|config| {
        config.http.trusted_proxies = vec!["127.0.0.1/32".into()];
        config.auth.throttle.address_max_failures = 3;
        config.auth.throttle.account_max_failures = 1000;
    })
    .await;
    app.register("victim.proxy@example.com", PASSWORD).await;
    // The attacker at 198.51.100.7 writes a fresh address before the one the proxy appended.
    for n in 0..3 {
        let status = login_from(
            &app,
            &format!("10.9.9.{n}, 198.51.100.7"),
            &format!("guess{n}.proxy@example.com"),
            "wrong password!!",
        )
        .await;
        assert_eq!(status, 401);
    }
    assert_eq!(
        login_from(
            &app,
            "10.9.9.200, 198.51.100.7",
            "victim.proxy@example.com",
            PASSWORD
        )
        .await,
        429,
        "the real client address is locked, whatever it writes in front"
    );
    assert_eq!(
        login_from(&app, "203.0.113.5", "victim.proxy@example.com", PASSWORD).await,
        200,
        "another client behind the proxy is not"
    );
}

#[tokio::test]
async fn forwarding_headers_from_untrusted_peers_are_ignored() {
    let app = spawn_app_with(|config| {
        config.http.trusted_proxies = vec!["10.0.0.0/8".into()];
        config.auth.throttle.address_max_failures = 2;
        config.auth.throttle.account_max_failures = 1000;
    })
    .await;
    app.register("direct@example.com", PASSWORD).await;
    for n in 0..2 {
        let status = login_from(
            &app,
            &format!("203.0.113.{n}"),
            "nobody@example.com",
            "wrong password!!",
        )
        .await;
        assert_eq!(status, 401);
    }
    // The peer (127.0.0.1) is not a trusted proxy: every request above counted against it.
    assert_eq!(
        login_from(&app, "203.0.113.77", "direct@example.com", PASSWORD).await,
        429
    );
}

#[tokio::test]
async fn expired_address_rows_are_swept() {
    let app = spawn_app_with(|config| {
        config.http.trusted_proxies = vec!["127.0.0.1/32".into()];
        config.auth.throttle.window_secs = 1;
        config.auth.throttle.lockout_secs = 1;
        config.auth.throttle.sweep_interval_secs = 1;
        config.auth.throttle.account_max_failures = 1000;
    })
    .await;
    for n in 0..30 {
        login_from(
            &app,
            &format!("192.0.2.{n}"),
            "cycler@example.com",
            "wrong password!!",
        )
        .await;
    }
    let rows = app
        .query_i64("SELECT COUNT(*) FROM login_throttles WHERE key LIKE 'address:%'")
        .await;
    assert!(rows > 0, "rows per address exist while their window lasts");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let rows = app.query_i64("SELECT COUNT(*) FROM login_throttles").await;
        if rows == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{rows} expired rows were never swept"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

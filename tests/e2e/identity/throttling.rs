use std::time::Duration;

use serde_json::Value;

use super::PASSWORD;
use crate::support::spawn_app_with;

#[tokio::test]
async fn repeated_failures_lock_the_account_even_for_the_right_password_until_it_expires() {
    let app = spawn_app_with(|config| {
        config.auth.throttle.account_max_failures = 3;
        config.auth.throttle.lockout_secs = 2;
    })
    .await;
    app.register("rupert@example.com", PASSWORD).await;

    for _ in 0..3 {
        let (status, body) = app.login("rupert@example.com", "wrong password!!").await;
        assert_eq!(status, 401);
        assert_eq!(body["code"], "invalid_credentials");
    }
    let response = app
        .post_json(
            "/api/auth/login",
            &serde_json::json!({ "email": "rupert@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(response.status(), 429, "locked, even with the right password");
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=2).contains(&retry_after), "Retry-After {retry_after}");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["code"], "too_many_requests");

    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        app.login("rupert@example.com", PASSWORD).await.0,
        200,
        "the lock expired by itself"
    );
}

#[tokio::test]
async fn failures_from_one_address_lock_that_address_across_accounts() {
    let app = spawn_app_with(|config| {
        config.auth.throttle.address_max_failures = 4;
        config.auth.throttle.account_max_failures = 100;
    })
    .await;
    app.register("sybil@example.com", PASSWORD).await;
    for n in 0..4 {
        let (status, _) = app
            .login(&format!("guess{n}@example.com"), "wrong password!!")
            .await;
        assert_eq!(status, 401);
    }
    assert_eq!(app.login("sybil@example.com", PASSWORD).await.0, 429);
}

#[tokio::test]
async fn unknown_email_and_wrong_password_answer_alike() {
    let app = spawn_app_with(|_| {}).await;
    app.register("trent@example.com", PASSWORD).await;
    let (unknown_status, mut unknown) = app.login("nobody@example.com", PASSWORD).await;
    let (wrong_status, mut wrong) = app.login("trent@example.com", "wrong password!!").await;
    // Only the per-request id differs.
    for body in [&mut unknown, &mut wrong] {
        body.as_object_mut().expect("object").remove("request_id");
    }
    assert_eq!((unknown_status, wrong_status), (401, 401));
    assert_eq!(unknown, wrong);
    assert_eq!(unknown["code"], "invalid_credentials");
}

#[tokio::test]
async fn a_successful_login_clears_the_account_count() {
    let app = spawn_app_with(|config| config.auth.throttle.account_max_failures = 3).await;
    app.register("uma@example.com", PASSWORD).await;
    for _ in 0..2 {
        assert_eq!(app.login("uma@example.com", "wrong password!!").await.0, 401);
    }
    assert_eq!(app.login("uma@example.com", PASSWORD).await.0, 200);
    for _ in 0..2 {
        assert_eq!(app.login("uma@example.com", "wrong password!!").await.0, 401);
    }
    assert_eq!(
        app.login("uma@example.com", PASSWORD).await.0,
        200,
        "the earlier failures were forgotten"
    );
}

#[tokio::test]
async fn the_count_is_shared_by_every_instance_on_the_database() {
    let first = spawn_app_with(|config| config.auth.throttle.account_max_failures = 3).await;
    let second = first
        .start_sibling(|config| config.auth.throttle.account_max_failures = 3)
        .await;
    first.register("victor@example.com", PASSWORD).await;
    assert_eq!(first.login("victor@example.com", "wrong password!!").await.0, 401);
    assert_eq!(
        second.login("victor@example.com", "wrong password!!").await.0,
        401
    );
    assert_eq!(first.login("victor@example.com", "wrong password!!").await.0, 401);
    assert_eq!(second.login("victor@example.com", PASSWORD).await.0, 429);
}

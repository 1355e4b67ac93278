//! A burst of concurrent wrong passwords gets at most `max_failures` evaluations: the attempt is
//! counted before the slow hash, atomically, on both databases and across instances.

use futures::future::join_all;
use serde_json::json;

use super::PASSWORD;
use crate::support::{TestApp, spawn_app_with};

const MAX_FAILURES: u32 = 5;

async fn burst(apps: &[&TestApp], email: &str, attempts: usize) -> (usize, usize) {
    let requests = (0..attempts).map(|n| {
        let app = apps[n % apps.len()];
        async move {
            let response = app
                .post_json(
                    "/api/auth/login",
                    &json!({ "email": email, "password": "wrong password!!" }),
                )
                .await;
            let status = response.status().as_u16();
            if status == 429 {
                assert!(
                    response.headers().contains_key("retry-after"),
                    "429 without Retry-After"
                );
            }
            status
        }
    });
    let statuses = join_all(requests).await;
    let unauthorized = statuses.iter().filter(|status| **status == 401).count();
    let throttled = statuses.iter().filter(|status| **status == 429).count();
    assert_eq!(
        unauthorized + throttled,
        attempts,
        "only 401 and 429: {statuses:?}"
    );
    (unauthorized, throttled)
}

fn limits(config: &mut tenantry::Config) {
    config.auth.throttle.account_max_failures = MAX_FAILURES;
    config.auth.throttle.address_max_failures = 1000;
    config.http.workers = 4;
}

#[tokio::test]
async fn forty_concurrent_wrong_passwords_get_at_most_max_failures_evaluations() {
    let app = spawn_app_with(limits).await;
    app.register("burst@example.com", PASSWORD).await;
    let (evaluated, throttled) = burst(&[&app], "burst@example.com", 40).await;
    assert!(
        evaluated <= MAX_FAILURES as usize,
        "{evaluated} wrong passwords were evaluated"
    );
    assert_eq!(throttled, 40 - evaluated);
    assert_eq!(
        app.login("burst@example.com", PASSWORD).await.0,
        429,
        "the account is locked"
    );
}

#[tokio::test]
async fn the_limit_holds_across_two_instances() {
    let first = spawn_app_with(limits).await;
    let second = first.start_sibling(limits).await;
    first.register("burst.two@example.com", PASSWORD).await;
    let (evaluated, _) = burst(&[&first, &second], "burst.two@example.com", 40).await;
    assert!(
        evaluated <= MAX_FAILURES as usize,
        "{evaluated} wrong passwords were evaluated"
    );
}

#[tokio::test]
async fn a_successful_login_gives_its_address_attempt_back() {
    let app = spawn_app_with(|config| {
        config.auth.throttle.address_max_failures = 3;
        config.auth.throttle.account_max_failures = 100;
    })
    .await;
    app.register("office@example.com", PASSWORD).await;
    // Many good logins from one address (an office behind one NAT) never lock it.
    for _ in 0..6 {
        assert_eq!(app.login("office@example.com", PASSWORD).await.0, 200);
    }
}

#[tokio::test]
async fn right_passwords_at_once_are_never_locked_out_and_only_failures_count() {
    let app = spawn_app_with(limits).await;
    app.register("many.devices@example.com", PASSWORD).await;
    // Eight clients (more than the failures tolerated) log in at once with the right password.
    let logins = (0..8).map(|_| app.login("many.devices@example.com", PASSWORD));
    let statuses: Vec<u16> = join_all(logins)
        .await
        .into_iter()
        .map(|(status, _)| status)
        .collect();
    assert_eq!(statuses, vec![200; 8], "{statuses:?}");
    // Wrong passwords still lock the account after max_failures, each counted once.
    let (evaluated, _) = burst(&[&app], "many.devices@example.com", 12).await;
    assert!(evaluated <= MAX_FAILURES as usize, "{evaluated}");
    assert_eq!(app.login("many.devices@example.com", PASSWORD).await.0, 429);
}

//! Rate limits per API key, per user and per org: 429 with `Retry-After`, the `RateLimit-Policy` and
//! `RateLimit` headers on every counted answer, an operator's per-org limit, and counts shared by
//! two instances on one database.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{PASSWORD, api_key, shared_org};
use crate::support::{TestApp, spawn_app_with};

const SYNC_MS: u64 = 50;

fn limited(per_key: u32, per_user: u32, per_org: u32) -> impl FnOnce(&mut tenantry::Config) {
    move |config| {
        config.rate_limits.per_key = per_key;
        config.rate_limits.per_user = per_user;
        config.rate_limits.per_org = per_org;
        config.rate_limits.sync_interval_ms = SYNC_MS;
    }
}

/// Waits for a fresh one-minute window when fewer than 15 s of this one are left, so a test's
/// requests fall in one window.
async fn early_in_a_window() {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("time")
        .as_secs()
        % 60;
    if secs > 45 {
        tokio::time::sleep(Duration::from_secs(61 - secs)).await;
    }
}

async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.get_as(token, path).await
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn each_limit_answers_429_with_retry_after_and_every_answer_says_what_is_left() {
    early_in_a_window().await;
    let app = spawn_app_with(limited(5, 8, 1000)).await;
    let person = app.register("limited.person@example.com", PASSWORD).await;
    for n in 1..=8u32 {
        let response = get(&app, &person.access_token, "/api/auth/me").await;
        assert_eq!(response.status(), 200, "request {n}");
        assert_eq!(header(&response, "ratelimit-policy"), "\"user\";q=8;w=60");
        let current = header(&response, "ratelimit");
        assert!(
            current.starts_with(&format!("\"user\";r={};t=", 8 - n)),
            "{n}: {current}"
        );
    }
    let refused = get(&app, &person.access_token, "/api/auth/me").await;
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = header(&refused, "retry-after").parse().expect("Retry-After");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert!(header(&refused, "ratelimit").starts_with("\"user\";r=0;t="));
    let problem: serde_json::Value = refused.json().await.expect("problem");
    assert_eq!(problem["code"], "too_many_requests");
    // Unauthenticated and anonymous routes are not counted against the user.
    assert_eq!(app.get("/healthz").await.status(), 200);

    // An API key: its own limit, and its org's, both named.
    let owner = app.register("limited.owner@example.com", PASSWORD).await;
    let org = shared_org(&app, &owner, "Limited Org").await;
    let key = api_key(&app, &owner, &org).await;
    let members = format!("/api/orgs/{org}/members");
    for n in 1..=5 {
        let response = get(&app, &key, &members).await;
        assert_eq!(response.status(), 200, "key request {n}");
        let policy = header(&response, "ratelimit-policy");
        assert!(
            policy.contains("\"key\";q=5;w=60") && policy.contains("\"org\";q=1000;w=60"),
            "{policy}"
        );
        assert!(
            header(&response, "ratelimit").starts_with("\"key\";"),
            "the key is the tightest"
        );
    }
    let refused = get(&app, &key, &members).await;
    assert_eq!(refused.status(), 429, "the key's sixth request in the minute");
}

#[tokio::test]
async fn an_operators_org_limit_applies_to_everyone_in_the_org() {
    early_in_a_window().await;
    let app = spawn_app_with(limited(0, 1000, 1000)).await;
    let owner = app.register("org.limit.owner@example.com", PASSWORD).await;
    let member = app.register("org.limit.member@example.com", PASSWORD).await;
    let org = shared_org(&app, &owner, "Tight Org").await;
    let (status, _) = app
        .api(&owner.access_token)
        .add_member(
            &org,
            serde_json::json!({ "email": "org.limit.member@example.com", "role": "viewer" }),
        )
        .await;
    assert_eq!(status, 201);
    // Adding the member counted once against the org already.
    let output = app.cli(&["orgs", "rate-limit", &org, "--per-minute", "5"], &[]);
    assert!(output.ok, "{}", output.text);
    tokio::time::sleep(Duration::from_millis(SYNC_MS * 6)).await;
    let path = format!("/api/orgs/{org}");
    let mut statuses = Vec::new();
    for token in [&owner.access_token, &member.access_token].repeat(3) {
        let response = get(&app, token, &path).await;
        statuses.push(response.status().as_u16());
        if response.status() == 200 {
            assert!(header(&response, "ratelimit-policy").contains("\"org\";q=5;w=60"));
        }
    }
    assert_eq!(
        statuses,
        [200, 200, 200, 200, 429, 429],
        "both count against the org"
    );
    // The member's own org is not limited by it.
    let own = format!("/api/orgs/{}", member.org_id);
    assert_eq!(get(&app, &member.access_token, &own).await.status(), 200);

    let output = app.cli(&["orgs", "rate-limit", &org, "--default"], &[]);
    assert!(output.ok, "{}", output.text);
    tokio::time::sleep(Duration::from_millis(SYNC_MS * 6)).await;
    assert_eq!(get(&app, &owner.access_token, &path).await.status(), 200);
}

#[tokio::test]
async fn two_instances_share_their_counts() {
    early_in_a_window().await;
    let first = spawn_app_with(limited(0, 10, 0)).await;
    let second = first.start_sibling(limited(0, 10, 0)).await;
    let person = first.register("shared.limit@example.com", PASSWORD).await;
    for _ in 0..6 {
        assert_eq!(
            get(&first, &person.access_token, "/api/auth/me").await.status(),
            200
        );
    }
    // After one sync interval the other instance knows.
    tokio::time::sleep(Duration::from_millis(SYNC_MS * 6)).await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(
            get(&second, &person.access_token, "/api/auth/me")
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, [200, 200, 200, 200, 429, 429]);
    tokio::time::sleep(Duration::from_millis(SYNC_MS * 6)).await;
    assert_eq!(
        get(&first, &person.access_token, "/api/auth/me").await.status(),
        429
    );
}

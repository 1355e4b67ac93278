//! Who spends an org's requests, and a sandbox's own limit: a stranger naming an org in paths
//! spends none of its requests, requests the caller's own limit refused count against no org, and
//! requests with a sandbox's session key count against that sandbox (429 with `Retry-After`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;

use super::{PASSWORD, shared_org};
use crate::{
    agent_servers::register_sandbox,
    support::{TestApp, spawn_app_with},
};

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

fn limits(per_user: u32, per_org: u32, per_sandbox: u32) -> impl FnOnce(&mut tenantry::Config) {
    move |config| {
        config.rate_limits.per_key = 0;
        config.rate_limits.per_user = per_user;
        config.rate_limits.per_org = per_org;
        config.rate_limits.per_sandbox = per_sandbox;
    }
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn status_of(app: &TestApp, token: &str, path: &str) -> u16 {
    app.get_as(token, path).await.status().as_u16()
}

#[tokio::test]
async fn a_stranger_naming_an_org_in_paths_spends_none_of_its_requests() {
    early_in_a_window().await;
    let app = spawn_app_with(limits(1000, 5, 0)).await;
    let owner = app.register("victim.owner@example.com", PASSWORD).await;
    let org = shared_org(&app, &owner, "Victim Org").await;
    let stranger = app.register("stranger@example.com", PASSWORD).await;
    let path = format!("/api/orgs/{org}");
    for n in 0..40 {
        let response = app.get_as(&stranger.access_token, &path).await;
        assert_eq!(response.status(), 404, "stranger request {n}");
        let policy = header(&response, "ratelimit-policy");
        assert!(
            !policy.contains("\"org\""),
            "a stranger is not counted against the org: {policy}"
        );
    }
    // The org's five requests of the minute are all still there for its members.
    for n in 1..=5 {
        let response = app.get_as(&owner.access_token, &path).await;
        assert_eq!(response.status(), 200, "owner request {n}");
        assert!(
            header(&response, "ratelimit-policy").contains("\"org\";q=5;w=60"),
            "a member is counted against the org"
        );
    }
    assert_eq!(
        status_of(&app, &owner.access_token, &path).await,
        429,
        "the org's limit still holds for its members"
    );
}

#[tokio::test]
async fn requests_refused_by_the_callers_own_limit_count_against_no_org() {
    early_in_a_window().await;
    let app = spawn_app_with(limits(3, 6, 0)).await;
    let owner = app.register("busy.owner@example.com", PASSWORD).await;
    app.register("busy.member@example.com", PASSWORD).await;
    // The owner's first request (no org in the path: their user only).
    let org = shared_org(&app, &owner, "Busy Org").await;
    // The owner's second, and the org's first.
    let (status, body) = app
        .api(&owner.access_token)
        .add_member(
            &org,
            json!({ "email": "busy.member@example.com", "role": "viewer" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, member) = app.login("busy.member@example.com", PASSWORD).await;
    assert_eq!(status, 200, "{member}");
    let member = member["access_token"].as_str().expect("token").to_owned();
    let path = format!("/api/orgs/{org}");
    for n in 1..=3 {
        assert_eq!(status_of(&app, &member, &path).await, 200, "member request {n}");
    }
    // The member's own limit refuses the rest; the org has counted four requests.
    for n in 0..30 {
        assert_eq!(status_of(&app, &member, &path).await, 429, "refused request {n}");
    }
    // The owner's third request is the org's fifth: the refused ones were not counted.
    let response = app.get_as(&owner.access_token, &path).await;
    assert_eq!(response.status(), 200);
    let current = header(&response, "ratelimit");
    assert!(
        current.starts_with("\"user\";r=0;") || current.starts_with("\"org\";r=1;"),
        "{current}"
    );
    assert!(
        header(&response, "ratelimit-policy").contains("\"org\";q=6;w=60"),
        "the owner's request counted against the org"
    );
}

#[tokio::test]
async fn a_sandboxs_requests_count_against_its_own_limit() {
    early_in_a_window().await;
    let app = spawn_app_with(limits(0, 0, 3)).await;
    let dev = app.register("sandbox.limit@example.com", PASSWORD).await;
    let busy = register_sandbox(&app, &dev, &dev.org_id, "busy").await;
    let quiet = register_sandbox(&app, &dev, &dev.org_id, "quiet").await;
    let report = |key: &str| {
        app.client
            .post(app.url("/api/v1/webhooks/conversations"))
            .header("X-Session-API-Key", key.to_owned())
            .json(&json!({ "id": uuid::Uuid::new_v4() }))
            .send()
    };
    for n in 1..=3 {
        let response = report(&busy.key).await.expect("request");
        assert!(
            response.status().is_success(),
            "report {n}: {}",
            response.status()
        );
        assert_eq!(header(&response, "ratelimit-policy"), "\"sandbox\";q=3;w=60");
    }
    let refused = report(&busy.key).await.expect("request");
    assert_eq!(
        refused.status(),
        429,
        "the sandbox's fourth request in the minute"
    );
    let retry_after: u64 = header(&refused, "retry-after").parse().expect("Retry-After");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert!(header(&refused, "ratelimit").starts_with("\"sandbox\";r=0;t="));
    // Refused before anything was recorded: three conversations, not four.
    let recorded = app
        .query_i64("SELECT COUNT(*) FROM conversations WHERE trigger = 'agent_server'")
        .await;
    assert_eq!(recorded, 3);
    // Secret reads with the key are counted too.
    let secret = app
        .client
        .get(app.url(&format!("/api/v1/webhooks/secrets/{}/ANY", uuid::Uuid::new_v4())))
        .header("X-Session-API-Key", busy.key.clone())
        .send()
        .await
        .expect("request");
    assert_eq!(secret.status(), 429);
    // Another sandbox has its own count.
    let other = report(&quiet.key).await.expect("request");
    assert!(other.status().is_success(), "{}", other.status());
}

//! The bound on one user's open streams holds across instances, and when an instance dies holding
//! streams, their slots come free once its leases lapse: its readers reconnect to the instances
//! left instead of being refused for as long as they retry.

use std::time::{Duration, Instant};

use crate::support::{PASSWORD, ServerProcess, TEST_JWT_SECRET, TestApp, spawn_app_with};

const LEASE_SECS: u64 = 2;

fn limits(config: &mut tenantry::Config) {
    config.streams.max_per_user = 2;
    config.streams.lease_secs = LEASE_SECS;
    // A stream its client left is noticed at the next heartbeat it fails to send.
    config.streams.heartbeat_secs = 1;
}

/// Opens the org's live list at `base` (an instance's address).
async fn open(client: &reqwest::Client, base: &str, token: &str, org: &str) -> reqwest::Response {
    client
        .get(format!("{base}/api/orgs/{org}/conversations/stream"))
        .bearer_auth(token)
        .send()
        .await
        .expect("stream request")
}

/// Opens streams at `base` until one is admitted (429s meanwhile); how long that took.
async fn open_once_admitted(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    org: &str,
    within: Duration,
) -> (reqwest::Response, Duration) {
    let started = Instant::now();
    loop {
        let response = open(client, base, token, org).await;
        if response.status() == 200 {
            return (response, started.elapsed());
        }
        assert_eq!(response.status(), 429);
        assert!(started.elapsed() < within, "still refused after {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn base(app: &TestApp) -> String {
    app.url("")
}

#[tokio::test]
async fn the_stream_bound_counts_every_instance_and_a_dead_instances_streams_lapse() {
    let first = spawn_app_with(limits).await;
    let second = first.start_sibling(limits).await;
    let session = first.register("reader@example.com", PASSWORD).await;
    let (token, org) = (session.access_token.as_str(), session.org_id.as_str());
    let client = reqwest::Client::new();

    // One stream on each instance: the user's bound of two is used up on both.
    let on_first = open(&client, &base(&first), token, org).await;
    assert_eq!(on_first.status(), 200);
    let on_second = open(&client, &base(&second), token, org).await;
    assert_eq!(on_second.status(), 200);
    for app in [&first, &second] {
        let refused = open(&client, &base(app), token, org).await;
        assert_eq!(refused.status(), 429);
        assert!(refused.headers().contains_key("retry-after"));
    }
    // A stream that ends gives its slot back to every instance.
    drop(on_first);
    let (again, _) = open_once_admitted(&client, &base(&second), token, org, Duration::from_secs(5)).await;
    drop((again, on_second));
    let (held, _) = open_once_admitted(&client, &base(&first), token, org, Duration::from_secs(5)).await;
    drop(held);

    // A third instance takes both slots and dies without ending them (SIGKILL).
    let dir = tempfile::tempdir().expect("temp dir");
    let lease = LEASE_SECS.to_string();
    let mut doomed = ServerProcess::start(
        dir.path(),
        &[
            ("DATABASE_URL", first.database.url.as_str()),
            ("TENANTRY_AUTH_JWT_SECRET", TEST_JWT_SECRET.as_str()),
            ("TENANTRY_STREAMS_MAX_PER_USER", "2"),
            ("TENANTRY_STREAMS_LEASE_SECS", lease.as_str()),
            ("TENANTRY_STREAMS_HEARTBEAT_SECS", "1"),
        ],
    )
    .await;
    let mut on_doomed = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while on_doomed.len() < 2 {
        let response = open(&client, &doomed.url(""), token, org).await;
        if response.status() == 200 {
            on_doomed.push(response);
        } else {
            // The slots given back above are released in the background.
            assert!(Instant::now() < deadline, "{}", response.status());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    doomed.child.kill().expect("SIGKILL");
    doomed.child.wait().expect("reaped");
    drop(on_doomed);

    // Its streams still count until their leases lapse, then the reader is admitted elsewhere.
    assert_eq!(open(&client, &base(&first), token, org).await.status(), 429);
    let (_, took) = open_once_admitted(
        &client,
        &base(&first),
        token,
        org,
        Duration::from_secs(LEASE_SECS * 3 + 2),
    )
    .await;
    eprintln!("admitted {took:?} after the instance holding the slots died (lease {LEASE_SECS} s)");
}

//! The memory concurrent large uploads take is bounded by the body budget
//! (`http.max_buffered_body_bytes`), measured on a real `tenantry` process.

use std::time::Duration;

use futures::future::join_all;
use serde_json::{Value, json};

use crate::support::{PASSWORD, ServerProcess, TestDatabase};

/// `VmRSS` and `VmHWM` of a process, in MiB.
fn memory_mib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse::<u64>().ok())
            .map(|kib| kib / 1024)
            .expect("field")
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[tokio::test]
async fn forty_concurrent_large_uploads_stay_within_the_body_budget() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = TestDatabase::create().await;
    let budget = (64 * 1024 * 1024).to_string();
    let envs = [
        ("DATABASE_URL", database.url.as_str()),
        (
            "TENANTRY_AUTH_JWT_SECRET",
            crate::support::TEST_JWT_SECRET.as_str(),
        ),
        ("TENANTRY_HTTP_MAX_BUFFERED_BODY_BYTES", budget.as_str()),
        ("TENANTRY_HTTP_WORKERS", "4"),
    ];
    let server = ServerProcess::start(dir.path(), &envs).await;
    let pid = server.child.id();
    let client = reqwest::Client::new();
    let registered: Value = client
        .post(server.url("/api/auth/register"))
        .json(&json!({ "email": "uploads@example.com", "password": PASSWORD }))
        .send()
        .await
        .expect("register")
        .json()
        .await
        .expect("json");
    let token = registered["access_token"].as_str().expect("token").to_owned();
    let org = registered["org"]["id"].as_str().expect("org").to_owned();
    let created: Value = client
        .post(server.url(&format!("/api/orgs/{org}/conversations")))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let id = created["id"].as_str().expect("id").to_owned();
    let events = server.url(&format!("/api/orgs/{org}/conversations/{id}/events"));

    // A legal batch of 15 MiB: 1000 events of 15 KiB of text each.
    let text = "x".repeat(15 * 1024);
    let batch: Vec<Value> = (0..1000)
        .map(|n| json!({ "kind": "MessageEvent", "n": n, "text": text }))
        .collect();
    // Leaked once so that forty uploads share it without copies.
    let body: &'static [u8] = Vec::leak(serde_json::to_vec(&batch).expect("body"));
    assert!(body.len() < 16 * 1024 * 1024);

    let (before, _) = memory_mib(pid);
    let uploads = (0..40).map(|_| {
        let (client, events, token) = (&client, &events, &token);
        async move {
            let response = client
                .post(events)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(body)
                .timeout(Duration::from_secs(120))
                .send()
                .await
                .expect("answered");
            (
                response.status().as_u16(),
                response.headers().contains_key("retry-after"),
            )
        }
    });
    let answers = join_all(uploads).await;
    let (_, peak) = memory_mib(pid);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (after, _) = memory_mib(pid);
    let stored = answers.iter().filter(|(status, _)| *status == 201).count();
    let refused = answers.iter().filter(|(status, _)| *status == 503).count();
    eprintln!(
        "40 uploads of {} MiB: {stored} stored, {refused} refused; RSS {before} MiB before, peak \
         {peak} MiB, {after} MiB 3 s after",
        body.len() / (1024 * 1024)
    );
    for (status, retry_after) in &answers {
        assert!(
            *status == 201 || (*status == 503 && *retry_after),
            "stored, or told to come back: {status}"
        );
    }
    assert!(stored > 0, "uploads within the budget are stored");
    assert!(
        peak < before + 512,
        "the bodies in memory stay within the budget: {before} MiB before, {peak} MiB at the peak"
    );
}

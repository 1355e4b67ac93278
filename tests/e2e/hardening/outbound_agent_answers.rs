//! What agent servers answer is read within bounds: an endless answer is abandoned at
//! `agents.max_response_bytes` (502, nothing recorded), and a refusal's body never reaches the
//! member (it may come from whatever service listens at the URL they registered).

use serde_json::{Value, json};

use super::outbound_upstream::{Answer, Upstream, peak_rss_kib};
use crate::support::{Session, TestApp, spawn_app};

const MIB: u64 = 1024 * 1024;

async fn sandbox_at(app: &TestApp, owner: &Session, url: &str) -> String {
    let (status, created) = app
        .api(&owner.access_token)
        .register_sandbox(&owner.org_id, json!({ "name": "upstream", "url": url }))
        .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().expect("id").to_owned()
}

async fn start(app: &TestApp, owner: &Session, sandbox: &str) -> (u16, Value) {
    app.api(&owner.access_token)
        .create_conversation(
            &owner.org_id,
            json!({ "sandbox_id": sandbox, "initial_message": "hello" }),
        )
        .await
}

async fn conversation_count(app: &TestApp, owner: &Session) -> usize {
    let (status, page) = app
        .api(&owner.access_token)
        .conversations(&owner.org_id, "")
        .await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().expect("items").len()
}

#[tokio::test]
async fn an_endless_agent_server_answer_is_abandoned_at_the_cap() {
    // The default cap (4 MiB).
    let app = spawn_app().await;
    let owner = app.register("endless.agent@example.com", super::PASSWORD).await;
    let upstream = Upstream::start(|_| Answer::Endless { limit: 512 * MIB });
    let sandbox = sandbox_at(&app, &owner, &upstream.base_url).await;

    let before = peak_rss_kib();
    let (status, problem) = start(&app, &owner, &sandbox).await;
    let after = peak_rss_kib();
    let sent = upstream.wait_for_sent(1);
    assert_eq!(sent.len(), 1, "{sent:?}");
    eprintln!(
        "endless agent answer: {} bytes sent before Tenantry hung up; peak RSS {before:?} kB before, {after:?} kB after",
        sent[0].body_bytes
    );
    assert_eq!(
        (status, problem["code"].as_str()),
        (502, Some("sandbox_unavailable")),
        "{problem}"
    );
    // Tenantry hung up after about the cap (plus what the sockets buffer), not after 512 MiB.
    assert!(sent[0].peer_hung_up, "{sent:?}");
    assert!(
        sent[0].body_bytes < 32 * MIB,
        "read on to {} bytes",
        sent[0].body_bytes
    );
    assert_eq!(conversation_count(&app, &owner).await, 0, "nothing recorded");
}

#[tokio::test]
async fn a_refusing_agent_servers_words_never_reach_the_member() {
    let app = spawn_app().await;
    let owner = app.register("refusing.agent@example.com", super::PASSWORD).await;
    let marker = "internal-service-banner-5b1e";
    let upstream = Upstream::start(move |_| {
        Answer::Json(
            400,
            json!({ "detail": format!("{marker}: admin console v2, db at 10.0.0.7") }).to_string(),
        )
    });
    let sandbox = sandbox_at(&app, &owner, &upstream.base_url).await;
    let (status, problem) = start(&app, &owner, &sandbox).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (502, Some("sandbox_rejected")),
        "{problem}"
    );
    assert!(!problem.to_string().contains(marker), "{problem}");
    assert!(!problem.to_string().contains("10.0.0.7"), "{problem}");
    assert_eq!(upstream.received().len(), 1, "the request did go out");
}

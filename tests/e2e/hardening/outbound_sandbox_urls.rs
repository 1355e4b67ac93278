//! Sandbox URLs under the operator's outbound policy: with loopback and private networks closed,
//! no member makes the server call this machine or its network, by address or by a name resolving
//! there, and open and closed ports answer alike; the allow-list keeps URLs to the hosts it names;
//! a sandbox registered before the policy closed is refused at the next call, with nothing sent.

use serde_json::{Value, json};

use super::outbound_upstream::{Answer, Upstream};
use crate::support::{Session, TestApp, free_port, spawn_app, spawn_app_with};

async fn register(app: &TestApp, owner: &Session, url: &str) -> (u16, Value) {
    app.api(&owner.access_token)
        .register_sandbox(&owner.org_id, json!({ "name": "probe", "url": url }))
        .await
}

fn upstream_ok() -> Upstream {
    Upstream::start(|_| Answer::Json(200, json!({ "id": "x" }).to_string()))
}

#[tokio::test]
async fn with_loopback_and_private_networks_closed_no_sandbox_url_reaches_them() {
    let app = spawn_app_with(|config| {
        config.agents.allow_loopback = false;
        config.agents.allow_private_networks = false;
    })
    .await;
    let owner = app.register("closed.policy@example.com", super::PASSWORD).await;
    let open = upstream_ok();
    let open_port = open.base_url.rsplit(':').next().expect("port").to_owned();
    let closed_port = free_port();

    let mut answers = Vec::new();
    for url in [
        format!("http://127.0.0.1:{open_port}"),
        format!("http://127.0.0.1:{closed_port}"),
        format!("http://localhost:{open_port}"),
        format!("http://[::ffff:127.0.0.1]:{open_port}"),
        format!("http://2130706433:{open_port}"),
        "http://10.1.2.3:8000".to_owned(),
        "http://192.168.0.10".to_owned(),
        "http://169.254.169.254/latest/meta-data".to_owned(),
    ] {
        let (status, problem) = register(&app, &owner, &url).await;
        assert_eq!(status, 422, "{url}: {problem}");
        assert!(
            problem.to_string().contains("outbound policy"),
            "{url}: {problem}"
        );
        answers.push(problem["errors"].clone());
    }
    // An open and a closed port cannot be told apart.
    assert_eq!(answers[0], answers[1]);
    assert!(open.received().is_empty(), "nothing reached the loopback server");
    let (status, list) = app.api(&owner.access_token).sandboxes(&owner.org_id).await;
    assert_eq!(status, 200);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "{list}");
}

#[tokio::test]
async fn a_sandbox_registered_before_the_policy_closed_is_refused_without_a_request() {
    let app = spawn_app().await;
    let owner = app
        .register("policy.closed.later@example.com", super::PASSWORD)
        .await;
    let upstream = upstream_ok();
    for url in [
        upstream.base_url.clone(),
        upstream.base_url.replace("127.0.0.1", "localhost"),
    ] {
        let (status, created) = register(&app, &owner, &url).await;
        assert_eq!(status, 201, "the test configuration allows loopback: {created}");
        let sandbox = created["id"].as_str().expect("id").to_owned();

        let closed = app
            .start_sibling(|config| config.agents.allow_loopback = false)
            .await;
        let (status, problem) = closed
            .api(&owner.access_token)
            .create_conversation(
                &owner.org_id,
                json!({ "sandbox_id": sandbox, "initial_message": "hello" }),
            )
            .await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (403, Some("sandbox_url_refused")),
            "{url}: {problem}"
        );
        closed.stop().await;
    }
    assert!(upstream.received().is_empty(), "{:?}", upstream.received());
}

#[tokio::test]
async fn the_allow_list_keeps_sandbox_urls_to_the_hosts_it_names() {
    let app = spawn_app_with(|config| {
        config.agents.allowed_hosts = vec!["localhost".into()];
    })
    .await;
    let owner = app.register("allow.listed@example.com", super::PASSWORD).await;
    let upstream = upstream_ok();
    let (status, problem) = register(&app, &owner, &upstream.base_url).await;
    assert_eq!(status, 422, "127.0.0.1 is not on the list: {problem}");
    let (status, created) =
        register(&app, &owner, &upstream.base_url.replace("127.0.0.1", "localhost")).await;
    assert_eq!(status, 201, "{created}");
    let (status, problem) = register(&app, &owner, "https://agents.example.com").await;
    assert_eq!(status, 422, "{problem}");
}

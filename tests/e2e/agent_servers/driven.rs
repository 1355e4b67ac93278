//! Tenantry starting and steering conversations on a real agent server with the org's settings,
//! keys and secrets (the fake LLM records what reached it).

use serde_json::{Value, json};

use super::{
    PASSWORD,
    harness::{AgentServer, FakeLlm, agent_python, messages, wait_for},
    register_sandbox,
};
use crate::support::{Session, TestApp, free_port, spawn_app_with};

const ORG_KEY: &str = "sk-org-llm-key";
const MEMBER_KEY: &str = "sk-member-llm-key";
const SECRET_VALUE: &str = "deploy-secret-value-7f3c";

async fn ok(app: &TestApp, session: &Session, method: &str, path: &str, body: Value) -> Value {
    let (status, answer) = app.call(method, &session.access_token, path, Some(body)).await;
    assert!((200..300).contains(&status), "{method} {path}: {status} {answer}");
    answer
}

async fn start(app: &TestApp, session: &Session, org: &str, sandbox: &str, text: &str) -> (u16, Value) {
    app.api(&session.access_token)
        .create_conversation(
            &org,
            json!({ "sandbox_id": sandbox, "initial_message": text, "title": "driven" }),
        )
        .await
}

async fn finished_with_replies(app: &TestApp, user: &Session, id: &str, replies: usize) -> Vec<Value> {
    wait_for(app, user, id, "the agent's replies", |conversation, events| {
        conversation["execution_status"] == "finished"
            && messages(events)
                .iter()
                .filter(|(source, _)| source == "agent")
                .count()
                >= replies
    })
    .await
    .1
}

/// `(Authorization, model)` of the LLM calls after the first `skip`.
fn calls_since(llm: &FakeLlm, skip: usize) -> Vec<(String, String)> {
    llm.calls()
        .into_iter()
        .skip(skip)
        .map(|(authorization, body)| {
            (
                authorization.unwrap_or_default(),
                body["model"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn conversations_run_on_the_sandbox_with_the_orgs_settings_keys_and_secrets() {
    let Some(python) = agent_python() else {
        let message = "openhands-agent-server is not installed: the driven agent-server test did NOT run";
        assert!(std::env::var_os("CI").is_none(), "{message}");
        eprintln!("\n\n!!! {message} !!!\n\n");
        return;
    };
    let bind = format!("127.0.0.1:{}", free_port());
    let public = format!("http://{bind}");
    let app = spawn_app_with(move |config| {
        config.bind = bind.clone();
        config.auth.public_url = Some(public.clone());
    })
    .await;
    let owner = app.register("owner.driven@example.com", PASSWORD).await;
    let org = owner.org_id.clone();
    let llm = FakeLlm::start();

    // The org's defaults, the member's own key and model, and an org secret.
    ok(
        &app,
        &owner,
        "PATCH",
        &format!("/api/orgs/{org}/settings"),
        json!({ "llm_model": "openai/fake", "llm_base_url": llm.base_url, "llm_api_key": ORG_KEY, "max_iterations": 5 }),
    )
    .await;
    ok(
        &app,
        &owner,
        "PATCH",
        &format!("/api/orgs/{org}/settings/me"),
        json!({ "llm_api_key": MEMBER_KEY, "llm_model": "openai/members-model" }),
    )
    .await;
    ok(
        &app,
        &owner,
        "PUT",
        &format!("/api/orgs/{org}/secrets/DEPLOY_TOKEN"),
        json!({ "value": SECRET_VALUE, "scope": "org" }),
    )
    .await;

    let agent_port = free_port();
    let (status, created) = app
        .api(&owner.access_token)
        .register_sandbox(
            &org,
            json!({ "name": "driven", "url": format!("http://127.0.0.1:{agent_port}") }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let sandbox = created["id"].as_str().expect("id").to_owned();
    let key = created["session_api_key"].as_str().expect("key").to_owned();
    let base = created["webhook_base_url"].as_str().expect("base").to_owned();
    let agent = AgentServer::start_on(&python, agent_port, &key, &base).await;

    // The member's key and model, at the org's base URL.
    let (status, conversation) = start(&app, &owner, &org, &sandbox, "Say hello.").await;
    assert_eq!(status, 201, "{conversation}\n{}", agent.log());
    assert_eq!(conversation["sandbox_id"], sandbox.as_str());
    assert_eq!(conversation["title"], "driven");
    let first = conversation["id"].as_str().expect("id").to_owned();
    let events = finished_with_replies(&app, &owner, &first, 1).await;
    let calls = calls_since(&llm, 0);
    assert!(!calls.is_empty());
    assert!(
        calls
            .iter()
            .all(|call| *call == (format!("Bearer {MEMBER_KEY}"), "members-model".to_owned())),
        "{calls:?}"
    );

    // The org secret reached the sandbox by lookup, audited with the sandbox as actor, and never
    // appears in what Tenantry stores or answers.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (_, log) = app.api(&owner.access_token).audit_log(&org).await;
        let looked_up = log["items"].as_array().expect("items").iter().any(|entry| {
            entry["action"] == "secrets.read"
                && entry["detail"]["sandbox_id"] == sandbox.as_str()
                && entry["detail"]["names"] == json!(["DEPLOY_TOKEN"])
        });
        if looked_up {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the sandbox never looked the secret up: {log}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let stored = Value::Array(events).to_string() + &conversation.to_string();
    for secret in [SECRET_VALUE, MEMBER_KEY, ORG_KEY, key.as_str()] {
        assert!(!stored.contains(secret), "a secret reached Tenantry's answers");
    }

    // Messages, pause and resume round-trip.
    let (status, _) = app
        .api(&owner.access_token)
        .steer(&org, &first, "messages", Some(json!({ "text": "Again." })))
        .await;
    assert_eq!(status, 202);
    let events = finished_with_replies(&app, &owner, &first, 2).await;
    assert!(messages(&events).contains(&("user".to_owned(), "Again.".to_owned())));
    assert_eq!(
        app.api(&owner.access_token)
            .steer(&org, &first, "pause", None)
            .await
            .0,
        202
    );
    assert_eq!(
        app.api(&owner.access_token)
            .steer(&org, &first, "resume", None)
            .await
            .0,
        202
    );

    // Without the member's key the org's is used; a locked field ignores the member's value.
    ok(
        &app,
        &owner,
        "PATCH",
        &format!("/api/orgs/{org}/settings/me"),
        json!({ "llm_api_key": null }),
    )
    .await;
    ok(
        &app,
        &owner,
        "PATCH",
        &format!("/api/orgs/{org}/settings"),
        json!({ "locked_fields": ["llm_model"] }),
    )
    .await;
    let before = llm.calls().len();
    let (status, second) = start(&app, &owner, &org, &sandbox, "Hello again.").await;
    assert_eq!(status, 201, "{second}");
    finished_with_replies(&app, &owner, second["id"].as_str().expect("id"), 1).await;
    let calls = calls_since(&llm, before);
    assert!(!calls.is_empty());
    assert!(
        calls
            .iter()
            .all(|call| *call == (format!("Bearer {ORG_KEY}"), "fake".to_owned())),
        "{calls:?}"
    );

    // An agent server that is down: 502 and nothing recorded.
    let (_, listed) = app.api(&owner.access_token).conversations(&org, "").await;
    let count = listed["items"].as_array().expect("items").len();
    let (_, down) = app
        .api(&owner.access_token)
        .register_sandbox(
            &org,
            json!({ "name": "down", "url": format!("http://127.0.0.1:{}", free_port()) }),
        )
        .await;
    let (status, problem) = start(&app, &owner, &org, down["id"].as_str().expect("id"), "Anyone?").await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (502, Some("sandbox_unavailable"))
    );
    let (_, listed) = app.api(&owner.access_token).conversations(&org, "").await;
    assert_eq!(listed["items"].as_array().expect("items").len(), count);
    // One that refuses (this sandbox's key is not the agent server's): 502 with its status (what it
    // said stays in the log).
    let (_, wrong_key) = app
        .api(&owner.access_token)
        .register_sandbox(&org, json!({ "name": "wrong key", "url": agent.url }))
        .await;
    let (status, problem) = start(
        &app,
        &owner,
        &org,
        wrong_key["id"].as_str().expect("id"),
        "Hello?",
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (502, Some("sandbox_rejected")),
        "{problem}"
    );
    assert!(
        problem["detail"].as_str().expect("detail").contains("401"),
        "{problem}"
    );
    let (_, listed) = app.api(&owner.access_token).conversations(&org, "").await;
    assert_eq!(listed["items"].as_array().expect("items").len(), count);

    // A viewer may not start one; another org's sandbox does not exist.
    let stranger = app.register("stranger.driven@example.com", PASSWORD).await;
    let (status, _) = start(&app, &stranger, &stranger.org_id, &sandbox, "Mine now?").await;
    assert_eq!(status, 404);
    let (status, team) = app
        .api(&owner.access_token)
        .create_org(json!({ "name": "Driven team" }))
        .await;
    assert_eq!(status, 201);
    let team = team["id"].as_str().expect("team").to_owned();
    let viewer = app.register("viewer.driven@example.com", PASSWORD).await;
    ok(
        &app,
        &owner,
        "POST",
        &format!("/api/orgs/{team}/members"),
        json!({ "email": "viewer.driven@example.com", "role": "viewer" }),
    )
    .await;
    let team_sandbox = register_sandbox(&app, &owner, &team, "team").await;
    let (status, _) = start(&app, &viewer, &team, &team_sandbox.id, "Let me in").await;
    assert_eq!(status, 403);

    // Deleting removes it on the agent server too.
    let (status, _) = app
        .api(&owner.access_token)
        .delete_conversation(&org, &first)
        .await;
    assert_eq!(status, 204);
    let gone = reqwest::Client::new()
        .get(format!("{}/api/conversations/{first}", agent.url))
        .header("X-Session-API-Key", &key)
        .send()
        .await
        .expect("agent server");
    assert_eq!(gone.status(), 404);
    llm.handle.stop(false).await;
}

#[tokio::test]
async fn a_deletion_the_agent_server_missed_is_retried_until_it_answers() {
    let Some(python) = agent_python() else {
        let message = "openhands-agent-server is not installed: the remote-deletion test did NOT run";
        assert!(std::env::var_os("CI").is_none(), "{message}");
        eprintln!("\n\n!!! {message} !!!\n\n");
        return;
    };
    let app = spawn_app_with(|config| config.storage.purge_interval_secs = 1).await;
    let owner = app.register("owner.retry-delete@example.com", PASSWORD).await;
    let org = owner.org_id.clone();
    // The sandbox's agent server is down while its conversation is deleted.
    let port = free_port();
    let (_, created) = app
        .api(&owner.access_token)
        .register_sandbox(
            &org,
            json!({ "name": "later", "url": format!("http://127.0.0.1:{port}") }),
        )
        .await;
    let key = created["session_api_key"].as_str().expect("key").to_owned();
    let base = created["webhook_base_url"].as_str().expect("base").to_owned();
    let id = uuid::Uuid::new_v4();
    let (status, _) = super::deliver(
        &app,
        Some(&key),
        "/conversations",
        &json!({ "id": id, "execution_status": "running" }),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = app.api(&owner.access_token).delete_conversation(&org, &id).await;
    assert_eq!(status, 204, "deleted here although the agent server is down");
    assert_eq!(
        app.query_i64("SELECT COUNT(*) FROM pending_agent_deletions")
            .await,
        1
    );

    // Once it answers, the recorded deletion goes through and is forgotten.
    let _agent = AgentServer::start_on(&python, port, &key, &base).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while app
        .query_i64("SELECT COUNT(*) FROM pending_agent_deletions")
        .await
        > 0
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the deletion was never retried"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

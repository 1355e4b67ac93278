//! The org's write-only LLM key goes only to sandboxes an admin registered: a developer's own
//! sandbox gets the developer's key, or a 403 saying the org's key is withheld, and an admin who
//! lost the role no longer sends it either.

use serde_json::{Value, json};

use super::outbound_upstream::{Answer, Upstream};
use crate::support::{Cast, Session, TestApp, spawn_app};

const ORG_KEY: &str = "sk-org-key-3f9a";
const MEMBER_KEY: &str = "sk-developer-key-81c2";

async fn sandbox_at(app: &TestApp, session: &Session, org: &str, url: &str) -> String {
    let (status, created) = app
        .api(&session.access_token)
        .register_sandbox(org, json!({ "name": "agents", "url": url }))
        .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().expect("id").to_owned()
}

async fn start(app: &TestApp, session: &Session, org: &str, sandbox: &str) -> (u16, Value) {
    app.api(&session.access_token)
        .create_conversation(org, json!({ "sandbox_id": sandbox, "initial_message": "hello" }))
        .await
}

/// The LLM key of the last conversation the agent server was asked to start.
fn last_key(upstream: &Upstream) -> Option<String> {
    let request = upstream.received().pop().expect("a request");
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/api/conversations")
    );
    let body: Value = serde_json::from_slice(&request.body).expect("JSON");
    body["agent"]["llm"]["api_key"].as_str().map(str::to_owned)
}

#[tokio::test]
async fn the_org_llm_key_goes_only_to_sandboxes_an_admin_registered() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "orgkey", "Org Key").await;
    let org = cast.org.as_str();
    let (status, body) = app
        .api(&cast.admin.access_token)
        .update_org_settings(org, json!({ "llm_api_key": ORG_KEY }))
        .await;
    assert_eq!(status, 200, "{body}");
    let upstream = Upstream::start(|_| Answer::Json(201, json!({ "id": "remote" }).to_string()));

    // A developer's sandbox, and the developer has no key of their own: refused, nothing sent.
    let developers = sandbox_at(&app, &cast.developer, org, &upstream.base_url).await;
    let (status, problem) = start(&app, &cast.developer, org, &developers).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (403, Some("org_llm_key_withheld")),
        "{problem}"
    );
    assert!(upstream.received().is_empty(), "{:?}", upstream.received());

    // With a key of their own, that key goes.
    let (status, body) = app
        .api(&cast.developer.access_token)
        .update_my_settings(org, json!({ "llm_api_key": MEMBER_KEY }))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = start(&app, &cast.developer, org, &developers).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(last_key(&upstream).as_deref(), Some(MEMBER_KEY));

    // An admin's sandbox gets the org's key.
    let admins = sandbox_at(&app, &cast.admin, org, &upstream.base_url).await;
    let (status, body) = start(&app, &cast.admin, org, &admins).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(last_key(&upstream).as_deref(), Some(ORG_KEY));

    // Locked: the developer may not use their own, and the org's is withheld from their sandbox.
    let (status, body) = app
        .api(&cast.admin.access_token)
        .update_org_settings(org, json!({ "locked_fields": ["llm_api_key"] }))
        .await;
    assert_eq!(status, 200, "{body}");
    let sent = upstream.received().len();
    let (status, problem) = start(&app, &cast.developer, org, &developers).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (403, Some("org_llm_key_withheld")),
        "{problem}"
    );
    assert_eq!(upstream.received().len(), sent, "nothing sent");
    let (status, body) = start(&app, &cast.admin, org, &admins).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(last_key(&upstream).as_deref(), Some(ORG_KEY));

    // The admin's sandbox stops receiving it once its creator is no longer an admin.
    let (status, body) = app
        .api(&cast.owner.access_token)
        .change_role(org, cast.admin.user_id.as_str(), json!({ "role": "developer" }))
        .await;
    assert_eq!(status, 200, "{body}");
    let sent = upstream.received().len();
    let (status, problem) = start(&app, &cast.admin, org, &admins).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (403, Some("org_llm_key_withheld")),
        "{problem}"
    );
    assert_eq!(upstream.received().len(), sent, "nothing sent");

    // Who registered each sandbox, and with what role, is in the audit log.
    let (status, audit) = app.api(&cast.owner.access_token).audit_log(org).await;
    assert_eq!(status, 200, "{audit}");
    let roles: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|entry| entry["action"] == "sandbox.created")
        .filter_map(|entry| entry["detail"]["role"].as_str())
        .collect();
    assert_eq!(roles.len(), 2, "{audit}");
    assert!(
        roles.contains(&"developer") && roles.contains(&"admin"),
        "{roles:?}"
    );
}

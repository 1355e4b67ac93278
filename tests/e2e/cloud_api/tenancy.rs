//! Who may call each route of the OpenHands Cloud API: a key of the org, a key of another org, no
//! key, and a sandbox's session key (which acts only on the routes a sandbox calls). Another org's
//! ids are `null` in batch reads and 404 elsewhere; nothing answers without a credential.

use serde_json::{Value, json};

use crate::{
    agent_servers::{deliver, register_sandbox},
    support::{PASSWORD, TestApp, spawn_app},
};

/// A credential a request carries.
#[derive(Clone, Copy, Debug)]
enum As<'a> {
    Key(&'a str),
    SessionKey(&'a str),
    Nobody,
}

async fn call(app: &TestApp, method: &str, path: &str, body: Option<&Value>, who: As<'_>) -> (u16, Value) {
    let mut request = app.client.request(method.parse().expect("method"), app.url(path));
    request = match who {
        As::Key(key) => request.bearer_auth(key),
        As::SessionKey(key) => request.header("X-Session-API-Key", key),
        As::Nobody => request,
    };
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// What another org's key gets: 404, or 200 with every entry `null`.
fn nothing(status: u16, body: &Value) -> bool {
    status == 404
        || (status == 200
            && body
                .as_array()
                .is_some_and(|items| items.iter().all(Value::is_null)))
}

#[tokio::test]
async fn every_cloud_route_answers_its_own_org_only_and_nobody_without_a_key() {
    let app = spawn_app().await;
    let ann = app.register("ann.tenancy.cloud@example.com", PASSWORD).await;
    let eve = app.register("eve.tenancy.cloud@example.com", PASSWORD).await;
    let key_of = |token: String, org: String| {
        let app = &app;
        async move {
            let (_, body) = app
                .api(&token)
                .create_api_key(&org, json!({ "name": "matrix" }))
                .await;
            body["key"].as_str().expect("key").to_owned()
        }
    };
    let own = key_of(ann.access_token.clone(), ann.org_id.clone()).await;
    let other = key_of(eve.access_token.clone(), eve.org_id.clone()).await;
    let sandbox = register_sandbox(&app, &ann, &ann.org_id, "reporting").await;
    let conversation = uuid::Uuid::new_v4();
    let (status, _) = deliver(
        &app,
        Some(&sandbox.key),
        "/conversations",
        &json!({ "id": conversation.to_string() }),
    )
    .await;
    assert_eq!(status, 204);
    let events = json!([{ "id": "ev-1", "kind": "MessageEvent" }]);
    deliver(
        &app,
        Some(&sandbox.key),
        &format!("/events/{}", conversation.simple()),
        &events,
    )
    .await;
    let (c, s) = (conversation.simple().to_string(), sandbox.id.clone());
    let org = ann.org_id.clone();

    // (method, path, body): read-only or harmless for the org's own key, so the rows can run in
    // any order; each is tried by the four callers.
    let rows: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", "/api/v1/sandboxes/search".into(), None),
        ("GET", format!("/api/v1/sandboxes?id={s}"), None),
        ("POST", format!("/api/v1/sandboxes/{s}/pause"), None),
        ("POST", format!("/api/v1/sandboxes/{s}/resume"), None),
        ("GET", "/api/v1/sandbox-specs/search".into(), None),
        ("GET", "/api/v1/sandbox-specs?id=process".into(), None),
        ("GET", "/api/v1/users/me".into(), None),
        ("GET", "/api/v1/app-conversations/search".into(), None),
        ("GET", "/api/v1/app-conversations/count".into(), None),
        ("GET", format!("/api/v1/app-conversations?ids={c}"), None),
        (
            "PATCH",
            format!("/api/v1/app-conversations/{c}"),
            Some(json!({ "title": "t" })),
        ),
        ("GET", "/api/v1/app-conversations/start-tasks/search".into(), None),
        ("GET", "/api/v1/app-conversations/start-tasks/count".into(), None),
        ("GET", format!("/api/v1/conversation/{c}/events/search"), None),
        ("GET", format!("/api/v1/conversation/{c}/events/count"), None),
        ("GET", format!("/api/v1/conversation/{c}/events?id=ev-1"), None),
        ("GET", "/api/v1/settings".into(), None),
        ("GET", "/api/v1/settings/agent-schema".into(), None),
        ("GET", "/api/v1/secrets/search".into(), None),
        ("GET", "/api/organizations".into(), None),
        ("GET", format!("/api/organizations/{org}/me"), None),
        ("POST", format!("/api/organizations/{org}/switch"), None),
        ("GET", "/api/keys/current".into(), None),
    ];
    let mut wrong = Vec::new();
    for (method, path, body) in &rows {
        let (status, answer) = call(&app, method, path, body.as_ref(), As::Key(&own)).await;
        // The org's key reaches every route (a registered sandbox cannot be paused: 409).
        let reached = (200..300).contains(&status)
            || (status == 409 && path.contains("/sandboxes/"))
            || (status == 403 && path.ends_with("/switch"));
        if !reached {
            wrong.push(format!("{method} {path} with the org's key: {status} {answer}"));
        }
        let (status, answer) = call(&app, method, path, body.as_ref(), As::Key(&other)).await;
        let org_wide = [
            "/search",
            "/count",
            "/users/me",
            "/settings",
            "/agent-schema",
            "/api/organizations",
            "/api/keys/current",
            "sandbox-specs",
        ];
        let reveals = answer.to_string().contains(&c)
            || answer.to_string().contains(&s)
            || answer.to_string().contains(&org);
        let fine = if org_wide
            .iter()
            .any(|part| path.ends_with(part) || path.contains("sandbox-specs"))
            && !path.contains(&org)
        {
            // Lists and settings answer for the other key's own org: never anything of ann's.
            !reveals
        } else {
            nothing(status, &answer)
        };
        if !fine {
            wrong.push(format!(
                "{method} {path} with another org's key: {status} {answer}"
            ));
        }
        let (status, _) = call(&app, method, path, body.as_ref(), As::Nobody).await;
        if status != 401 {
            wrong.push(format!("{method} {path} without a key: {status}"));
        }
        let (status, _) = call(&app, method, path, body.as_ref(), As::SessionKey(&sandbox.key)).await;
        if status != 401 {
            wrong.push(format!("{method} {path} with a sandbox's session key: {status}"));
        }
    }
    // The routes a sandbox calls take its session key only, for itself only.
    let secrets = format!("/api/v1/sandboxes/{s}/settings/secrets");
    for who in [As::Key(&own), As::Nobody] {
        let (status, _) = call(&app, "GET", &secrets, None, who).await;
        if status != 401 {
            wrong.push(format!("GET {secrets} as {who:?}: {status}"));
        }
    }
    let (status, _) = call(&app, "GET", &secrets, None, As::SessionKey(&sandbox.key)).await;
    if status != 200 {
        wrong.push(format!("GET {secrets} with its own session key: {status}"));
    }
    // Deleting is last: another org's key first (404), then the org's own.
    let delete = format!("/api/v1/app-conversations/{c}");
    let (status, _) = call(&app, "DELETE", &delete, None, As::Key(&other)).await;
    if status != 404 {
        wrong.push(format!("DELETE {delete} with another org's key: {status}"));
    }
    let (status, _) = call(&app, "DELETE", &delete, None, As::Key(&own)).await;
    if status != 200 {
        wrong.push(format!("DELETE {delete} with the org's key: {status}"));
    }
    assert!(
        wrong.is_empty(),
        "Cloud API tenancy mismatches:\n{}",
        wrong.join("\n")
    );
}

#[tokio::test]
async fn routes_not_served_answer_empty_searches_or_404() {
    let app = spawn_app().await;
    let ann = app.register("ann.not-served@example.com", PASSWORD).await;
    let key = super::api_key(&app, &ann, &ann.org_id).await;
    for path in [
        "/api/v1/git/repositories/search?provider=github",
        "/api/v1/git/installations/search?provider=github",
        "/api/v1/git/branches/search?provider=github&repository=a/b",
        "/api/v1/git/suggested-tasks/search",
        "/api/v1/skills/search",
        "/api/v1/config/models/search",
        "/api/v1/config/providers/search",
    ] {
        let (status, page) = super::call(&app, "GET", &key, path, None).await;
        assert_eq!(
            (status, page),
            (200, json!({ "items": [], "next_page_id": null })),
            "{path}"
        );
        let (status, _) = call(&app, "GET", path, None, As::Nobody).await;
        assert_eq!(status, 401, "{path} without a key");
    }
    for path in [
        "/api/v1/git/repositories/a",
        "/api/automation/v1",
        "/api/v1/marketplace/search",
    ] {
        let (status, _) = super::call(&app, "GET", &key, path, None).await;
        assert_eq!(status, 404, "{path}");
    }
}

//! `/api/v1/sandboxes`, `/api/v1/sandbox-specs` and `/api/v1/users/me` as OpenHands clients call
//! them: API keys, `X-Org-Id`, session keys; another org's ids are `null` in batches and 404
//! elsewhere; errors are `{"detail": …}` JSON.

use serde_json::{Value, json};

use crate::support::{PASSWORD, Session, TestApp, free_port, spawn_app_with};

async fn app() -> TestApp {
    let bind = format!("127.0.0.1:{}", free_port());
    let public = format!("http://{bind}");
    spawn_app_with(move |config| {
        config.bind = bind.clone();
        config.auth.public_url = Some(public.clone());
        config.sandboxes.runtime = "process".into();
        config.sandboxes.specs.push(super::silent_spec());
        config.sandboxes.default_spec = "silent".into();
    })
    .await
}

/// `(status, content type, body)` of a call with optional bearer, session key and org headers.
async fn cloud(
    app: &TestApp,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    headers: &[(&str, &str)],
) -> (u16, String, Value) {
    let mut request = app.client.request(method.parse().expect("method"), app.url(path));
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.expect("body");
    (
        status,
        kind,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn sandboxes_start_list_batch_and_delete_in_the_keys_org_only() {
    let app = app().await;
    let ann = app.register("ann.cloud@example.com", PASSWORD).await;
    let eve = app.register("eve.cloud@example.com", PASSWORD).await;
    let ann_key = super::api_key(&app, &ann, &ann.org_id).await;
    let eve_key = super::api_key(&app, &eve, &eve.org_id).await;

    // The SDK's calls: POST (no body, no org header), then GET ?id= until RUNNING.
    let (status, kind, started) = cloud(&app, "POST", "/api/v1/sandboxes", Some(&ann_key), &[]).await;
    assert_eq!(status, 200, "{started}");
    assert!(kind.starts_with("application/json"));
    let id = started["id"].as_str().expect("id").to_owned();
    let _reaper = crate::support::SandboxReaper::of(&app.data_dir);
    assert_eq!(started["status"], "STARTING");
    assert_eq!(started["sandbox_spec_id"], "silent");
    assert_eq!(started["created_by_user_id"], ann.user_id.as_str());
    assert!(
        started["session_api_key"]
            .as_str()
            .is_some_and(|key| !key.is_empty())
    );
    assert_eq!(started["exposed_urls"][0]["name"], "AGENT_SERVER");

    let missing = uuid::Uuid::new_v4();
    let (status, _, batch) = cloud(
        &app,
        "GET",
        &format!("/api/v1/sandboxes?id={id}&id={missing}&id=not-a-uuid&id={id}"),
        Some(&ann_key),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{batch}");
    assert_eq!(batch.as_array().expect("list").len(), 4);
    assert_eq!(batch[0]["id"], id.as_str());
    assert_eq!((batch[1].clone(), batch[2].clone()), (Value::Null, Value::Null));
    assert_eq!(batch[3]["id"], id.as_str());

    let (status, _, page) = cloud(
        &app,
        "GET",
        "/api/v1/sandboxes/search?limit=1",
        Some(&ann_key),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"][0]["id"], id.as_str());
    assert_eq!(page["next_page_id"], Value::Null);

    // Another org's key sees nothing and touches nothing; naming ann's org does not help it.
    let (_, _, theirs) = cloud(
        &app,
        "GET",
        &format!("/api/v1/sandboxes?id={id}"),
        Some(&eve_key),
        &[],
    )
    .await;
    assert_eq!(theirs, json!([null]));
    for (method, path) in [
        ("POST", format!("/api/v1/sandboxes/{id}/pause")),
        ("POST", format!("/api/v1/sandboxes/{id}/resume")),
        ("DELETE", format!("/api/v1/sandboxes/{id}?sandbox_id={id}")),
    ] {
        let (status, kind, body) = cloud(&app, method, &path, Some(&eve_key), &[]).await;
        assert_eq!(status, 404, "{method} {path}: {body}");
        assert!(kind.starts_with("application/json"), "{kind}");
        assert!(body["detail"].is_string(), "{body}");
        let (status, _, _) = cloud(&app, method, &path, Some(&eve_key), &[("X-Org-Id", &ann.org_id)]).await;
        assert_eq!(status, 404, "{method} {path} naming the other org");
    }
    let (status, _, body) = cloud(&app, "GET", "/api/v1/sandboxes/search", None, &[]).await;
    assert_eq!(status, 401, "{body}");
    assert!(body["detail"].is_string());
    let (status, _, _) = cloud(
        &app,
        "GET",
        "/api/v1/sandboxes/search",
        Some(&ann_key),
        &[("X-Org-Id", "nope")],
    )
    .await;
    assert_eq!(status, 422);

    // Pause and resume answer as OpenHands does; delete takes the id from the query too.
    let (status, _, paused) = cloud(
        &app,
        "POST",
        &format!("/api/v1/sandboxes/{id}/pause"),
        Some(&ann_key),
        &[],
    )
    .await;
    assert_eq!((status, paused), (200, json!({ "success": true })));
    let (_, _, batch) = cloud(
        &app,
        "GET",
        &format!("/api/v1/sandboxes?id={id}"),
        Some(&ann_key),
        &[],
    )
    .await;
    assert_eq!(batch[0]["status"], "PAUSED");
    assert_eq!(
        batch[0]["session_api_key"],
        Value::Null,
        "a paused sandbox's key is not shown"
    );
    let (status, _, deleted) = cloud(
        &app,
        "DELETE",
        &format!("/api/v1/sandboxes/{id}?sandbox_id={id}"),
        Some(&ann_key),
        &[],
    )
    .await;
    assert_eq!((status, deleted), (200, json!({ "success": true })));
    let (status, _, _) = cloud(
        &app,
        "DELETE",
        &format!("/api/v1/sandboxes/{id}"),
        Some(&ann_key),
        &[],
    )
    .await;
    assert_eq!(status, 404);
    let (_, _, batch) = cloud(
        &app,
        "GET",
        &format!("/api/v1/sandboxes?id={id}"),
        Some(&ann_key),
        &[],
    )
    .await;
    assert_eq!(batch, json!([null]));
}

#[tokio::test]
async fn sandbox_specs_are_listed_and_read_by_id() {
    let app = app().await;
    let ann = app.register("ann.specs@example.com", PASSWORD).await;
    let key = super::api_key(&app, &ann, &ann.org_id).await;
    let (status, _, page) = cloud(&app, "GET", "/api/v1/sandbox-specs/search", Some(&key), &[]).await;
    assert_eq!(status, 200, "{page}");
    let ids: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|spec| spec["id"].as_str())
        .collect();
    assert_eq!(ids, ["process", "silent"]);
    assert_eq!(page["items"][0]["working_dir"], "workspace/project");
    assert_eq!(page["items"][0]["command"], Value::Null);
    let (_, _, batch) = cloud(
        &app,
        "GET",
        "/api/v1/sandbox-specs?id=silent&id=nope",
        Some(&key),
        &[],
    )
    .await;
    assert_eq!(batch[0]["command"][0], "/bin/sh");
    assert_eq!(batch[1], Value::Null);
}

#[tokio::test]
async fn users_me_hands_the_llm_key_only_to_the_callers_own_sandbox() {
    let app = app().await;
    let ann = app.register("ann.me@example.com", PASSWORD).await;
    let bob = app.register("bob.me@example.com", PASSWORD).await;
    let (status, team) = app
        .api(&ann.access_token)
        .create_org(json!({ "name": "Cloud team" }))
        .await;
    assert_eq!(status, 201, "{team}");
    let org = team["id"].as_str().expect("id").to_owned();
    let (status, body) = app
        .api(&ann.access_token)
        .add_member(
            &org,
            json!({ "email": "bob.me@example.com", "role": "developer" }),
        )
        .await;
    assert!((200..300).contains(&status), "{body}");
    let (status, body) = app
        .call(
            "PATCH",
            &ann.access_token,
            &format!("/api/orgs/{org}/settings"),
            Some(json!({ "llm_model": "openai/org-model", "llm_base_url": "http://llm.invalid/v1", "llm_api_key": "sk-org-secret", "mcp_config": { "sse_servers": [] } })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let ann_key = super::api_key(&app, &ann, &org).await;
    let bob_key = super::api_key(&app, &bob, &org).await;
    // Sandboxes registered by URL (registered by an admin: trusted with the org's key).
    let register = |session: &Session, name: &'static str| {
        let token = session.access_token.clone();
        let org = org.clone();
        let app = &app;
        async move {
            let (status, body) = app
                .api(&token)
                .register_sandbox(&org, json!({ "name": name, "url": "http://127.0.0.1:9" }))
                .await;
            assert_eq!(status, 201, "{body}");
            body["session_api_key"].as_str().expect("key").to_owned()
        }
    };
    let ann_sandbox = register(&ann, "ann's").await;
    let bob_sandbox = register(&bob, "bob's").await;

    let (status, _, me) = cloud(&app, "GET", "/api/v1/users/me", Some(&ann_key), &[]).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(
        (me["llm_model"].as_str(), me["org_id"].as_str()),
        (Some("openai/org-model"), Some(org.as_str()))
    );
    assert_eq!(me["llm_base_url"], "http://llm.invalid/v1");
    assert_eq!(me["mcp_config"], json!({ "sse_servers": [] }));
    assert!(me.get("llm_api_key").is_none() && !me.to_string().contains("sk-org-secret"));

    let exposed = "/api/v1/users/me?expose_secrets=true";
    let (status, _, _) = cloud(&app, "GET", exposed, Some(&ann_key), &[]).await;
    assert_eq!(status, 401, "exposing needs the sandbox's session key");
    let (status, _, _) = cloud(
        &app,
        "GET",
        exposed,
        Some(&ann_key),
        &[("X-Session-API-Key", &bob_sandbox)],
    )
    .await;
    assert_eq!(status, 403, "another member's sandbox");
    let (status, _, me) = cloud(
        &app,
        "GET",
        exposed,
        Some(&ann_key),
        &[("X-Session-API-Key", &ann_sandbox)],
    )
    .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["llm_api_key"], "sk-org-secret");
    // Bob registered his as a developer: it is not trusted with the org's key (nor is bob).
    let (status, _, body) = cloud(
        &app,
        "GET",
        exposed,
        Some(&bob_key),
        &[("X-Session-API-Key", &bob_sandbox)],
    )
    .await;
    assert_eq!(status, 403, "{body}");
}

#[tokio::test]
async fn a_sandbox_lists_and_reads_its_creators_secrets_with_its_own_key_only() {
    let app = app().await;
    let ann = app.register("ann.secrets@example.com", PASSWORD).await;
    let org = ann.org_id.clone();
    for (name, scope, value) in [
        ("SHARED", "org", "org-value"),
        ("MINE", "user", "my-value"),
        ("SHARED", "user", "my-shared"),
    ] {
        let (status, body) = app
            .api(&ann.access_token)
            .put_secret(
                &org,
                name,
                json!({ "value": value, "scope": scope, "description": format!("{scope} {name}") }),
            )
            .await;
        assert!((200..300).contains(&status), "{body}");
    }
    let registered = |name: &'static str| {
        let app = &app;
        let token = ann.access_token.clone();
        let org = org.clone();
        async move {
            let (_, body) = app
                .api(&token)
                .register_sandbox(&org, json!({ "name": name, "url": "http://127.0.0.1:9" }))
                .await;
            (
                body["id"].as_str().expect("id").to_owned(),
                body["session_api_key"].as_str().expect("key").to_owned(),
            )
        }
    };
    let (id, key) = registered("one").await;
    let (other_id, other_key) = registered("two").await;

    let names_path = format!("/api/v1/sandboxes/{id}/settings/secrets");
    let (status, _, listed) = cloud(&app, "GET", &names_path, None, &[("X-Session-API-Key", &key)]).await;
    assert_eq!(status, 200, "{listed}");
    let names: Vec<&str> = listed["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .filter_map(|secret| secret["name"].as_str())
        .collect();
    assert_eq!(names, ["MINE", "SHARED"]);
    assert!(
        !listed.to_string().contains("value"),
        "values never listed: {listed}"
    );

    let value_path = format!("/api/v1/sandboxes/{id}/settings/secrets/SHARED");
    let (status, kind, value) = cloud(&app, "GET", &value_path, None, &[("X-Session-API-Key", &key)]).await;
    assert_eq!(
        (status, value),
        (200, Value::String("my-shared".into())),
        "the creator's own wins"
    );
    assert!(kind.starts_with("text/plain"));
    let (status, _, _) = cloud(
        &app,
        "GET",
        &value_path,
        None,
        &[("X-Session-API-Key", &other_key)],
    )
    .await;
    assert_eq!(status, 403, "another sandbox's key");
    let (status, _, _) = cloud(&app, "GET", &value_path, None, &[]).await;
    assert_eq!(status, 401);
    let (status, _, _) = cloud(
        &app,
        "GET",
        &format!("/api/v1/sandboxes/{id}/settings/secrets/NOPE"),
        None,
        &[("X-Session-API-Key", &key)],
    )
    .await;
    assert_eq!(status, 404);
    let _ = other_id;
    let (_, log) = app.api(&ann.access_token).audit_log(&org).await;
    assert!(
        log["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|entry| entry["action"] == "secrets.read" && entry["detail"]["sandbox_id"] == id.as_str()),
        "{log}"
    );
}

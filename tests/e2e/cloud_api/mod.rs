//! The OpenHands Cloud API: its routes in OpenHands' shapes, per org, and OpenHands' own clients
//! against them.

mod conversations;
mod device_flow;
mod profiles;
mod sandboxes;
mod sdk;
mod settings;
mod starts;
mod tenancy;
mod ts_client;

use serde_json::{Value, json};

use crate::support::{Session, TestApp};

/// `(status, JSON body)` of a request with an API key.
async fn call(app: &TestApp, method: &str, key: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = app
        .client
        .request(method.parse().expect("method"), app.url(path))
        .bearer_auth(key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A new API key of `session` in `org`.
async fn api_key(app: &TestApp, session: &Session, org: &str) -> String {
    let (status, body) = app
        .api(&session.access_token)
        .create_api_key(org, json!({ "name": "cloud client" }))
        .await;
    assert_eq!(status, 201, "{body}");
    body["key"].as_str().expect("key").to_owned()
}

/// A sandbox spec whose process runs but never answers: the sandbox stays `STARTING`.
fn silent_spec() -> tenantry::config::SandboxSpecConfig {
    tenantry::config::SandboxSpecConfig {
        id: "silent".into(),
        command: vec![
            "/bin/sh".into(),
            "-c".into(),
            "exec sleep 600".into(),
            "sh".into(),
        ],
        working_dir: "workspace".into(),
        initial_env: Default::default(),
    }
}

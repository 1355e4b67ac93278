//! OpenHands agent servers reporting into Tenantry: sandboxes, the webhook protocol replayed from a
//! real run, and the real agent server itself.

mod driven;
pub(crate) mod harness;
mod provisioned;
mod real_agent_server;
mod replay;
mod sandboxes;

use serde_json::{Value, json};

use crate::support::{Session, TestApp};

pub use crate::support::PASSWORD;

/// A registered sandbox: its id, session key and webhook base URL.
pub struct RegisteredSandbox {
    pub id: String,
    pub key: String,
    pub webhook_base_url: String,
}

/// Registers a sandbox for `session` in `org`.
pub async fn register_sandbox(app: &TestApp, session: &Session, org: &str, name: &str) -> RegisteredSandbox {
    let (status, body) = app
        .api(&session.access_token)
        .register_sandbox(&org, json!({ "name": name }))
        .await;
    assert_eq!(status, 201, "register sandbox: {body}");
    RegisteredSandbox {
        id: body["id"].as_str().expect("id").to_owned(),
        key: body["session_api_key"].as_str().expect("key").to_owned(),
        webhook_base_url: body["webhook_base_url"].as_str().expect("base").to_owned(),
    }
}

/// Posts a webhook body as an agent server does; returns `(status, body)`.
pub async fn deliver(app: &TestApp, key: Option<&str>, path: &str, body: &Value) -> (u16, Value) {
    let mut request = app
        .client
        .post(app.url(&format!("/api/v1/webhooks{path}")))
        .json(body);
    if let Some(key) = key {
        request = request.header("X-Session-API-Key", key);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Every event of a conversation, read as `session`.
pub async fn all_events(app: &TestApp, session: &Session, org: &str, id: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut start = 0;
    loop {
        let (status, page) = app
            .call(
                "GET",
                &session.access_token,
                &format!("/api/orgs/{org}/conversations/{id}/events?start_id={start}&limit=1000"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{page}");
        events.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_start_id"].as_i64() {
            Some(next) => start = next,
            None => return events,
        }
    }
}

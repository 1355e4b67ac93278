//! Holes a security review found, each reproduced against a running server and closed.

mod api_key_matrix;
mod audit_trail;
mod client_address;
mod corrupt_data;
mod credential_lifecycle;
mod credential_recovery;
mod file_modes;
mod invitation_authority;
mod login_burst;
mod metrics_labels;
mod outbound_agent_answers;
mod outbound_oidc;
mod outbound_org_key;
mod outbound_sandbox_urls;
mod outbound_upstream;
mod rate_limits;
mod reset_mail;
mod resources_metadata;
mod resources_rate_limits;
mod resources_streams;
mod resources_sweeps;
mod resources_usage;
mod session_reads;
mod session_revocation;
mod settings_race;
mod slow_bodies;
mod startup_refusals;
mod storage_full;

use serde_json::{Value, json};

use crate::support::{Session, TestApp};

pub use crate::support::PASSWORD;

/// Creates an API key for `session` in `org` (with `secrets:read`) and returns it.
pub async fn api_key(app: &TestApp, session: &Session, org: &str) -> String {
    let (status, body) = app
        .api(&session.access_token)
        .create_api_key(&org, json!({ "name": "automation", "scopes": ["secrets:read"] }))
        .await;
    assert_eq!(status, 201, "create key: {body}");
    body["key"].as_str().expect("key").to_owned()
}

/// Creates a shared org owned by `session`; returns its id.
pub async fn shared_org(app: &TestApp, session: &Session, name: &str) -> String {
    let (status, body) = app
        .api(&session.access_token)
        .create_org(json!({ "name": name }))
        .await;
    assert_eq!(status, 201, "create org: {body}");
    id(&body)
}

/// The `id` of a body.
pub fn id(body: &Value) -> String {
    body["id"].as_str().expect("id").to_owned()
}

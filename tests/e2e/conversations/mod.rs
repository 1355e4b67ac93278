//! The Conversations and events section of the contract.

mod access;
mod budgets;
mod deletion;
mod events;
mod idempotent_appends;
mod listing;
mod missing_events;
mod orphan_batches;
mod retention;
mod sharing;
mod signal_bus;
mod stream_failover;
mod streams;
mod usage;

use serde_json::{Value, json};

use crate::{support::Cast, support::TestApp};

/// Creates a conversation as `token` and returns its id.
pub async fn create_conversation(app: &TestApp, token: &str, org: &str, body: Value) -> String {
    let (status, conversation) = app.api(token).create_conversation(&org, body).await;
    assert_eq!(status, 201, "{conversation}");
    conversation["id"].as_str().expect("id").to_owned()
}

/// A private conversation of the cast's developer.
pub async fn developers_private_conversation(app: &TestApp, cast: &Cast) -> String {
    create_conversation(
        app,
        &cast.developer.access_token,
        &cast.org,
        json!({ "title": "private work" }),
    )
    .await
}

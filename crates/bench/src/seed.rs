//! Seeding through the API: a user, its org, conversations and events.

use anyhow::Context;
use futures::{StreamExt, stream};
use serde_json::{Value, json};

/// Conversations seeded.
pub const CONVERSATIONS: usize = 2000;
/// Events in the events conversation.
pub const EVENTS: usize = 1000;

/// What the scenarios work on.
pub struct Fixture {
    /// The bench user's email.
    pub email: String,
    /// Its password.
    pub password: String,
    /// Its id.
    pub user_id: String,
    /// An access token.
    pub token: String,
    /// The org (the user's personal org).
    pub org: String,
    /// Seeded conversation ids.
    pub conversations: Vec<String>,
    /// The conversation holding `EVENTS` events.
    pub events_conversation: String,
    /// Session key of a sandbox in the org (the ingest scenarios post as its agent server).
    pub sandbox_key: String,
}

async fn post(
    client: &reqwest::Client,
    url: String,
    token: Option<&str>,
    body: Value,
) -> anyhow::Result<Value> {
    let mut request = client.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await?;
    anyhow::ensure!(
        response.status().is_success(),
        "seeding failed: {}",
        response.status()
    );
    Ok(response.json().await?)
}

/// Seeds the fixture.
pub async fn seed(client: &reqwest::Client, base: &str) -> anyhow::Result<Fixture> {
    let email = "bench@example.com".to_owned();
    let password = "a benchmark passphrase".to_owned();
    let registered = post(
        client,
        format!("{base}/api/auth/register"),
        None,
        json!({ "email": email, "password": password }),
    )
    .await?;
    let token = registered["access_token"].as_str().context("token")?.to_owned();
    let org = registered["org"]["id"].as_str().context("org")?.to_owned();
    let user_id = registered["user"]["id"].as_str().context("user")?.to_owned();
    let conversations_url = format!("{base}/api/orgs/{org}/conversations");
    let conversations: Vec<String> = stream::iter(0..CONVERSATIONS)
        .map(|n| {
            let body = json!({ "title": format!("conversation {n}"), "selected_repository": "acme/app", "visibility": "org" });
            let (client, url, token) = (client, conversations_url.clone(), &token);
            async move { post(client, url, Some(token), body).await }
        })
        .buffer_unordered(16)
        .map(|created| created.map(|c| c["id"].as_str().unwrap_or_default().to_owned()))
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let events_conversation = conversations[0].clone();
    let events_url = format!("{conversations_url}/{events_conversation}/events");
    for batch in 0..EVENTS / 100 {
        let events: Vec<Value> = (0..100)
            .map(|n| json!({ "kind": "message", "n": batch * 100 + n, "content": "x".repeat(200) }))
            .collect();
        post(client, events_url.clone(), Some(&token), Value::Array(events)).await?;
    }
    let sandbox = post(
        client,
        format!("{base}/api/orgs/{org}/sandboxes"),
        Some(&token),
        // Registered (the ingest scenarios post as its agent server): nothing is started for it.
        json!({ "name": "bench agent server", "url": "http://127.0.0.1:9" }),
    )
    .await?;
    let sandbox_key = sandbox["session_api_key"]
        .as_str()
        .context("session key")?
        .to_owned();
    Ok(Fixture {
        sandbox_key,
        email,
        password,
        user_id,
        token,
        org,
        conversations,
        events_conversation,
    })
}

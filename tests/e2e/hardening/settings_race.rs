//! Concurrent single-field changes of one settings document all survive: each write merges into the
//! latest stored version (compare and swap), on both databases.

use futures::future::join_all;
use serde_json::{Value, json};

use super::PASSWORD;
use crate::support::{TestApp, spawn_app_with};

const ROUNDS: usize = 4;

/// A field and the value it gets in a round.
type Field = (&'static str, fn(usize) -> Value);

/// Runs `ROUNDS` rounds of one concurrent PATCH per field, then checks every field holds its last
/// round's value.
async fn race(app: &TestApp, token: &str, path: &str, fields: &[Field]) {
    for round in 0..ROUNDS {
        let patches = fields.iter().map(|(field, value)| {
            let body = json!({ *field: value(round) });
            async move { app.call("PATCH", token, path, Some(body)).await }
        });
        for (status, body) in join_all(patches).await {
            assert_eq!(status, 200, "{path}: {body}");
        }
    }
    let read_path = path;
    let (_, stored) = app.call("GET", token, read_path, None).await;
    let mut lost = Vec::new();
    for (field, value) in fields {
        let expected = value(ROUNDS - 1);
        if stored[*field] != expected {
            lost.push(format!("{field}: {} (expected {expected})", stored[*field]));
        }
    }
    assert!(lost.is_empty(), "{path} lost writes: {lost:?} in {stored}");
}

fn text(round: usize) -> Value {
    json!(format!("value-{round}"))
}

fn count(round: usize) -> Value {
    json!(10 + round)
}

fn flag(round: usize) -> Value {
    json!(round % 2 == 1)
}

#[tokio::test]
async fn concurrent_patches_of_org_settings_member_overrides_and_preferences_lose_nothing() {
    let app = spawn_app_with(|config| config.http.workers = 4).await;
    let owner = app.register("owner.race@example.com", PASSWORD).await;
    let org = &owner.org_id;
    let settings_fields: [Field; 6] = [
        ("agent", text),
        ("max_iterations", count),
        ("security_analyzer", text),
        ("llm_model", text),
        ("llm_base_url", text),
        ("sandbox_base_container_image", text),
    ];
    race(
        &app,
        &owner.access_token,
        &format!("/api/orgs/{org}/settings"),
        &settings_fields,
    )
    .await;
    race(
        &app,
        &owner.access_token,
        &format!("/api/orgs/{org}/settings/me"),
        &settings_fields,
    )
    .await;
    let preference_fields: [Field; 4] = [
        ("language", text),
        ("enable_sound_notifications", flag),
        ("user_consents_to_analytics", flag),
        ("accepted_tos", flag),
    ];
    race(
        &app,
        &owner.access_token,
        "/api/user/settings",
        &preference_fields,
    )
    .await;
}

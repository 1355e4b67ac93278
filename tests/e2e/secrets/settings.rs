//! Org settings, member overrides, locks, effective settings, user preferences.

use serde_json::{Value, json};

use crate::{support::Cast, support::spawn_app};

#[tokio::test]
async fn org_settings_are_read_by_members_written_by_admins_and_keys_are_write_only() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "orgset", "Org Settings Co").await;

    let (status, settings) = app
        .api(&cast.admin.access_token)
        .update_org_settings(
            &cast.org,
            json!({
                "llm_model": "anthropic/claude", "llm_api_key": "sk-org-secret-1", "max_iterations": 50,
                "confirmation_mode": true, "mcp_config": { "servers": [] }, "max_budget_per_task": 2.5
            }),
        )
        .await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["llm_api_key_set"], true);
    assert!(settings.get("llm_api_key").is_none(), "write-only");
    assert_eq!(settings["max_iterations"], 50);
    let (status, read) = app.api(&cast.viewer.access_token).org_settings(&cast.org).await;
    assert_eq!(status, 200);
    assert_eq!(read, settings);
    assert!(!read.to_string().contains("sk-org-secret-1"));

    let (status, _) = app
        .api(&cast.developer.access_token)
        .update_org_settings(&cast.org, json!({ "agent": "x" }))
        .await;
    assert_eq!(status, 403);
    let (status, _) = app.api(&cast.outsider.access_token).org_settings(&cast.org).await;
    assert_eq!(status, 404);
    for body in [
        json!({ "nope": 1 }),
        json!({ "max_iterations": -3 }),
        json!({ "confirmation_mode": "yes" }),
    ] {
        let (status, problem) = app
            .api(&cast.admin.access_token)
            .update_org_settings(&cast.org, body.clone())
            .await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some("validation_failed")),
            "{body}"
        );
    }
    let (_, cleared) = app
        .api(&cast.admin.access_token)
        .update_org_settings(&cast.org, json!({ "llm_api_key": null }))
        .await;
    assert_eq!(cleared["llm_api_key_set"], false);
    assert_eq!(cleared["llm_model"], "anthropic/claude", "other fields untouched");
}

#[tokio::test]
async fn member_overrides_merge_unless_the_org_locks_the_field() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "merge", "Merge Co").await;
    let dev = &cast.developer.access_token;

    app.api(&cast.admin.access_token)
        .update_org_settings(
            &cast.org,
            json!({ "llm_model": "org-model", "agent": "CodeActAgent" }),
        )
        .await;
    let (status, own) = app
        .api(dev)
        .update_my_settings(
            &cast.org,
            json!({ "llm_model": "my-model", "llm_api_key": "sk-member-own-2" }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(own["llm_api_key_set"], true);
    let (_, merged) = app.api(dev).effective_settings(&cast.org).await;
    assert_eq!(merged["llm_model"], "my-model");
    assert_eq!(merged["agent"], "CodeActAgent");
    assert_eq!(merged["llm_api_key_set"], true);
    let (_, others) = app
        .api(&cast.viewer.access_token)
        .effective_settings(&cast.org)
        .await;
    assert_eq!(others["llm_model"], "org-model", "overrides are per member");

    let (status, locked) = app
        .api(&cast.admin.access_token)
        .update_org_settings(
            &cast.org,
            json!({ "locked_fields": ["llm_model", "llm_api_key"] }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(locked["locked_fields"], json!(["llm_api_key", "llm_model"]));
    let (_, merged) = app.api(dev).effective_settings(&cast.org).await;
    assert_eq!(
        merged["llm_model"], "org-model",
        "a locked field keeps the org's value"
    );
    assert_eq!(
        merged["llm_api_key_set"], false,
        "the member's own key is not used while locked"
    );
    let (status, problem) = app
        .api(dev)
        .update_my_settings(&cast.org, json!({ "llm_model": "again" }))
        .await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("forbidden")));
    let (status, _) = app
        .api(dev)
        .update_my_settings(&cast.org, json!({ "agent": "Mine" }))
        .await;
    assert_eq!(status, 200, "unlocked fields can still be overridden");
    let (status, _) = app
        .api(&cast.admin.access_token)
        .update_org_settings(&cast.org, json!({ "locked_fields": ["no_such_field"] }))
        .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn user_preferences_round_trip() {
    let app = spawn_app().await;
    let session = app
        .register("prefs@example.com", "correct horse battery staple")
        .await;
    let (status, empty) = app.api(&session.access_token).preferences().await;
    assert_eq!((status, empty), (200, json!({})));
    let (status, saved) = app
        .api(&session.access_token)
        .update_preferences(
            json!({ "language": "fr", "accepted_tos": true, "enable_sound_notifications": false }),
        )
        .await;
    assert_eq!(status, 200);
    let (_, read): (u16, Value) = app.api(&session.access_token).preferences().await;
    assert_eq!(read, saved);
    assert_eq!(read["language"], "fr");
    let (status, _) = app
        .api(&session.access_token)
        .update_preferences(json!({ "accepted_tos": "yes" }))
        .await;
    assert_eq!(status, 422);
}

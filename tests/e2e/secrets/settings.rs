//! Org settings, member overrides, locks, effective settings, user preferences.

use serde_json::{Value, json};

use crate::{
    orgs::{org_with_cast, register_cast},
    support::spawn_app,
};

#[tokio::test]
async fn org_settings_are_read_by_members_written_by_admins_and_keys_are_write_only() {
    let app = spawn_app().await;
    let users = register_cast(&app, "orgset").await;
    let cast = org_with_cast(&app, &users, "orgset", "Org Settings Co").await;
    let path = format!("/api/orgs/{}/settings", cast.org);

    let (status, settings) = app
        .call(
            "PATCH",
            &cast.admin.access_token,
            &path,
            Some(json!({
                "llm_model": "anthropic/claude", "llm_api_key": "sk-org-secret-1", "max_iterations": 50,
                "confirmation_mode": true, "mcp_config": { "servers": [] }, "max_budget_per_task": 2.5
            })),
        )
        .await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["llm_api_key_set"], true);
    assert!(settings.get("llm_api_key").is_none(), "write-only");
    assert_eq!(settings["max_iterations"], 50);
    let (status, read) = app.call("GET", &cast.viewer.access_token, &path, None).await;
    assert_eq!(status, 200);
    assert_eq!(read, settings);
    assert!(!read.to_string().contains("sk-org-secret-1"));

    let (status, _) = app
        .call(
            "PATCH",
            &cast.developer.access_token,
            &path,
            Some(json!({ "agent": "x" })),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app.call("GET", &cast.outsider.access_token, &path, None).await;
    assert_eq!(status, 404);
    for body in [
        json!({ "nope": 1 }),
        json!({ "max_iterations": -3 }),
        json!({ "confirmation_mode": "yes" }),
    ] {
        let (status, problem) = app
            .call("PATCH", &cast.admin.access_token, &path, Some(body.clone()))
            .await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some("validation_failed")),
            "{body}"
        );
    }
    let (_, cleared) = app
        .call(
            "PATCH",
            &cast.admin.access_token,
            &path,
            Some(json!({ "llm_api_key": null })),
        )
        .await;
    assert_eq!(cleared["llm_api_key_set"], false);
    assert_eq!(cleared["llm_model"], "anthropic/claude", "other fields untouched");
}

#[tokio::test]
async fn member_overrides_merge_unless_the_org_locks_the_field() {
    let app = spawn_app().await;
    let users = register_cast(&app, "merge").await;
    let cast = org_with_cast(&app, &users, "merge", "Merge Co").await;
    let org_path = format!("/api/orgs/{}/settings", cast.org);
    let mine = format!("{org_path}/me");
    let effective = format!("{org_path}/effective");
    let dev = &cast.developer.access_token;

    app.call(
        "PATCH",
        &cast.admin.access_token,
        &org_path,
        Some(json!({ "llm_model": "org-model", "agent": "CodeActAgent" })),
    )
    .await;
    let (status, own) = app
        .call(
            "PATCH",
            dev,
            &mine,
            Some(json!({ "llm_model": "my-model", "llm_api_key": "sk-member-own-2" })),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(own["llm_api_key_set"], true);
    let (_, merged) = app.call("GET", dev, &effective, None).await;
    assert_eq!(merged["llm_model"], "my-model");
    assert_eq!(merged["agent"], "CodeActAgent");
    assert_eq!(merged["llm_api_key_set"], true);
    let (_, others) = app.call("GET", &cast.viewer.access_token, &effective, None).await;
    assert_eq!(others["llm_model"], "org-model", "overrides are per member");

    let (status, locked) = app
        .call(
            "PATCH",
            &cast.admin.access_token,
            &org_path,
            Some(json!({ "locked_fields": ["llm_model", "llm_api_key"] })),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(locked["locked_fields"], json!(["llm_api_key", "llm_model"]));
    let (_, merged) = app.call("GET", dev, &effective, None).await;
    assert_eq!(
        merged["llm_model"], "org-model",
        "a locked field keeps the org's value"
    );
    assert_eq!(
        merged["llm_api_key_set"], false,
        "the member's own key is not used while locked"
    );
    let (status, problem) = app
        .call("PATCH", dev, &mine, Some(json!({ "llm_model": "again" })))
        .await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("forbidden")));
    let (status, _) = app
        .call("PATCH", dev, &mine, Some(json!({ "agent": "Mine" })))
        .await;
    assert_eq!(status, 200, "unlocked fields can still be overridden");
    let (status, _) = app
        .call(
            "PATCH",
            &cast.admin.access_token,
            &org_path,
            Some(json!({ "locked_fields": ["no_such_field"] })),
        )
        .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn user_preferences_round_trip() {
    let app = spawn_app().await;
    let session = app
        .register("prefs@example.com", "correct horse battery staple")
        .await;
    let (status, empty) = app
        .call("GET", &session.access_token, "/api/user/settings", None)
        .await;
    assert_eq!((status, empty), (200, json!({})));
    let (status, saved) = app
        .call(
            "PATCH",
            &session.access_token,
            "/api/user/settings",
            Some(json!({ "language": "fr", "accepted_tos": true, "enable_sound_notifications": false })),
        )
        .await;
    assert_eq!(status, 200);
    let (_, read): (u16, Value) = app
        .call("GET", &session.access_token, "/api/user/settings", None)
        .await;
    assert_eq!(read, saved);
    assert_eq!(read["language"], "fr");
    let (status, _) = app
        .call(
            "PATCH",
            &session.access_token,
            "/api/user/settings",
            Some(json!({ "accepted_tos": "yes" })),
        )
        .await;
    assert_eq!(status, 422);
}

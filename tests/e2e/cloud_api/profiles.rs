//! Named LLM profiles through both of OpenHands' routes: kept per member and org, keys never shown,
//! renamed, activated into the member's settings (where the org's locks hold), deleted.

use serde_json::{Value, json};

use crate::support::{PASSWORD, spawn_app};

#[tokio::test]
async fn profiles_are_kept_renamed_activated_and_deleted_without_showing_keys() {
    let app = spawn_app().await;
    let ann = app.register("ann.profiles@example.com", PASSWORD).await;
    let org = ann.org_id.clone();
    let (_, key) = app
        .api(&ann.access_token)
        .create_api_key(&org, json!({ "name": "profiles" }))
        .await;
    let key = key["key"].as_str().expect("key").to_owned();
    let eve = app.register("eve.profiles@example.com", PASSWORD).await;
    let (_, eve_key) = app
        .api(&eve.access_token)
        .create_api_key(&eve.org_id, json!({ "name": "eve" }))
        .await;
    let eve_key = eve_key["key"].as_str().expect("key").to_owned();

    let save = json!({ "llm": { "model": "openai/work", "base_url": "http://llm.invalid/v1", "api_key": "sk-profile-secret" } });
    let (status, saved) = super::call(&app, "POST", &key, "/api/v1/settings/profiles/work", Some(save)).await;
    assert_eq!(status, 201, "{saved}");
    let (status, _) = super::call(
        &app,
        "POST",
        &key,
        "/api/v1/settings/profiles/not%20valid",
        Some(json!({ "llm": {} })),
    )
    .await;
    assert_eq!(status, 422);

    // The same profile through the org route; the key is never shown.
    let (status, listed) = super::call(
        &app,
        "GET",
        &key,
        &format!("/api/organizations/{org}/profiles"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(
        listed["profiles"][0],
        json!({ "name": "work", "model": "openai/work", "base_url": "http://llm.invalid/v1", "api_key_set": true })
    );
    assert_eq!(listed["active_profile"], Value::Null);
    let (_, one) = super::call(&app, "GET", &key, "/api/v1/settings/profiles/work", None).await;
    assert_eq!(one["config"]["api_key"], Value::Null);
    assert!(
        !listed.to_string().contains("sk-profile-secret") && !one.to_string().contains("sk-profile-secret")
    );
    let (status, _) = super::call(
        &app,
        "GET",
        &eve_key,
        &format!("/api/organizations/{org}/profiles"),
        None,
    )
    .await;
    assert_eq!(status, 404, "another org's key");
    let (_, theirs) = super::call(&app, "GET", &eve_key, "/api/v1/settings/profiles", None).await;
    assert_eq!(theirs["profiles"], json!([]), "profiles are the member's own");

    // Rename keeps the key; activating writes model, base URL and key into the member's settings.
    let (status, renamed) = super::call(
        &app,
        "POST",
        &key,
        "/api/v1/settings/profiles/work/rename",
        Some(json!({ "new_name": "day-job" })),
    )
    .await;
    assert_eq!(status, 200, "{renamed}");
    let (status, activated) = super::call(
        &app,
        "POST",
        &key,
        "/api/v1/settings/profiles/day-job/activate",
        Some(json!({})),
    )
    .await;
    assert_eq!(
        (status, activated["model"].as_str()),
        (200, Some("openai/work")),
        "{activated}"
    );
    let (_, settings) = super::call(&app, "GET", &key, "/api/v1/settings", None).await;
    assert_eq!(settings["llm_model"], "openai/work");
    assert_eq!(settings["llm_api_key_set"], true);
    let (_, listed) = super::call(&app, "GET", &key, "/api/v1/settings/profiles", None).await;
    assert_eq!(
        (
            listed["active_profile"].as_str(),
            listed["profiles"][0]["api_key_set"].as_bool()
        ),
        (Some("day-job"), Some(true))
    );

    // A locked field stays the org's.
    let (status, _) = app
        .call(
            "PATCH",
            &ann.access_token,
            &format!("/api/orgs/{org}/settings"),
            Some(json!({ "locked_fields": ["llm_model"] })),
        )
        .await;
    assert_eq!(status, 200);
    let (status, refused) = super::call(
        &app,
        "POST",
        &key,
        "/api/v1/settings/profiles/day-job/activate",
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 403, "{refused}");

    // At most ten; deleting one is idempotent.
    for n in 0..9 {
        let (status, _) = super::call(
            &app,
            "POST",
            &key,
            &format!("/api/v1/settings/profiles/p{n}"),
            Some(json!({ "llm": { "model": "m" } })),
        )
        .await;
        assert_eq!(status, 201);
    }
    let (status, full) = super::call(
        &app,
        "POST",
        &key,
        "/api/v1/settings/profiles/one-more",
        Some(json!({ "llm": {} })),
    )
    .await;
    assert_eq!(
        (status, full["code"].as_str()),
        (409, Some("profile_limit")),
        "{full}"
    );
    let (status, _) = super::call(
        &app,
        "POST",
        &key,
        "/api/v1/settings/profiles/p0",
        Some(json!({ "llm": { "model": "again" } })),
    )
    .await;
    assert_eq!(status, 201, "saving one again is no new one");
    for _ in 0..2 {
        let (status, _) = super::call(&app, "DELETE", &key, "/api/v1/settings/profiles/day-job", None).await;
        assert_eq!(status, 200);
    }
    let (status, _) = super::call(&app, "GET", &key, "/api/v1/settings/profiles/day-job", None).await;
    assert_eq!(status, 404);
}

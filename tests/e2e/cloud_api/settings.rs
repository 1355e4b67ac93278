//! `/api/v1/settings` and `/api/v1/secrets` as OpenHands clients use them: the caller's effective
//! settings in the org, changed by diffs into the caller's own overrides (locks hold), and the
//! caller's own secrets (values never shown).

use serde_json::json;

use crate::support::{PASSWORD, spawn_app};

#[tokio::test]
async fn settings_read_effective_values_and_write_diffs_as_the_callers_overrides() {
    let app = spawn_app().await;
    let ann = app.register("ann.cloudsettings@example.com", PASSWORD).await;
    let org = ann.org_id.clone();
    let (status, body) = app
        .call(
            "PATCH",
            &ann.access_token,
            &format!("/api/orgs/{org}/settings"),
            Some(json!({ "llm_model": "openai/org-default", "llm_api_key": "sk-org-hidden", "max_iterations": 50, "locked_fields": ["max_iterations"] })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let key = super::api_key(&app, &ann, &org).await;

    let (status, settings) = super::call(&app, "GET", &key, "/api/v1/settings", None).await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["llm_model"], "openai/org-default");
    assert_eq!(settings["agent_settings"]["llm"]["model"], "openai/org-default");
    assert_eq!(settings["conversation_settings"]["max_iterations"], 50);
    assert_eq!(settings["llm_api_key_set"], true);
    assert!(!settings.to_string().contains("sk-org-hidden"));

    let diff = json!({ "agent_settings_diff": { "llm": { "model": "openai/mine", "api_key": "sk-mine" } }, "language": "en" });
    let (status, stored) = super::call(&app, "POST", &key, "/api/v1/settings", Some(diff)).await;
    assert_eq!((status, stored), (200, json!({ "message": "Settings stored" })));
    let (_, settings) = super::call(&app, "GET", &key, "/api/v1/settings", None).await;
    assert_eq!(settings["llm_model"], "openai/mine");
    assert!(!settings.to_string().contains("sk-mine"));
    let (_, org_view) = app
        .call(
            "GET",
            &ann.access_token,
            &format!("/api/orgs/{org}/settings"),
            None,
        )
        .await;
    assert_eq!(
        org_view["llm_model"], "openai/org-default",
        "the org's default is untouched"
    );

    let locked = json!({ "conversation_settings_diff": { "max_iterations": 3 } });
    let (status, refused) = super::call(&app, "POST", &key, "/api/v1/settings", Some(locked)).await;
    assert_eq!(status, 403, "{refused}");
    assert!(refused["detail"].is_string());
    let (status, _) = super::call(
        &app,
        "POST",
        &key,
        "/api/v1/settings",
        Some(json!({ "agent_settings": {} })),
    )
    .await;
    assert_eq!(status, 422);
    let (status, schema) = super::call(&app, "GET", &key, "/api/v1/settings/agent-schema", None).await;
    assert_eq!(status, 200);
    assert_eq!(schema["model_name"], "AgentSettings");
}

#[tokio::test]
async fn secrets_are_the_callers_own_and_never_shown() {
    let app = spawn_app().await;
    let ann = app.register("ann.cloudsecrets@example.com", PASSWORD).await;
    let org = ann.org_id.clone();
    let (status, body) = app
        .api(&ann.access_token)
        .put_secret(
            &org,
            "ORG_SHARED",
            json!({ "value": "org-value", "scope": "org" }),
        )
        .await;
    assert!((200..300).contains(&status), "{body}");
    let key = super::api_key(&app, &ann, &org).await;

    for (name, value) in [
        ("GITHUB_TOKEN", "ghp-secret-1"),
        ("DEPLOY_KEY", "deploy-secret-2"),
    ] {
        let (status, created) = super::call(
            &app,
            "POST",
            &key,
            "/api/v1/secrets",
            Some(json!({ "name": name, "value": value, "description": "for the agent" })),
        )
        .await;
        assert_eq!(status, 201, "{created}");
    }
    let (status, page) = super::call(&app, "GET", &key, "/api/v1/secrets/search", None).await;
    assert_eq!(status, 200, "{page}");
    let names: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| item["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["DEPLOY_KEY", "GITHUB_TOKEN"],
        "the caller's own, by name, not the org's"
    );
    assert!(!page.to_string().contains("secret-"), "values never listed");
    let (_, first) = super::call(&app, "GET", &key, "/api/v1/secrets/search?limit=1", None).await;
    assert_eq!(first["next_page_id"], "DEPLOY_KEY");
    let (_, rest) = super::call(
        &app,
        "GET",
        &key,
        "/api/v1/secrets/search?limit=1&page_id=DEPLOY_KEY",
        None,
    )
    .await;
    assert_eq!(rest["items"][0]["name"], "GITHUB_TOKEN");
    let (_, found) = super::call(
        &app,
        "GET",
        &key,
        "/api/v1/secrets/search?name__contains=hub",
        None,
    )
    .await;
    assert_eq!(found["items"].as_array().expect("items").len(), 1);

    let (status, renamed) = super::call(
        &app,
        "PUT",
        &key,
        "/api/v1/secrets/GITHUB_TOKEN",
        Some(json!({ "name": "GH_TOKEN", "description": "renamed" })),
    )
    .await;
    assert_eq!(status, 200, "{renamed}");
    let (_, page) = super::call(&app, "GET", &key, "/api/v1/secrets/search", None).await;
    assert_eq!(
        page["items"][1],
        json!({ "name": "GH_TOKEN", "description": "renamed" })
    );
    let (status, clash) = super::call(
        &app,
        "PUT",
        &key,
        "/api/v1/secrets/GH_TOKEN",
        Some(json!({ "name": "DEPLOY_KEY" })),
    )
    .await;
    assert_eq!(status, 409, "{clash}");
    let (status, _) = super::call(
        &app,
        "POST",
        &key,
        "/api/v1/secrets",
        Some(json!({ "name": "not valid!", "value": "x" })),
    )
    .await;
    assert_eq!(status, 422);

    let (status, deleted) = super::call(&app, "DELETE", &key, "/api/v1/secrets/GH_TOKEN", None).await;
    assert_eq!(
        (status, deleted["message"].as_str()),
        (200, Some("Secret deleted successfully"))
    );
    let (status, _) = super::call(&app, "DELETE", &key, "/api/v1/secrets/GH_TOKEN", None).await;
    assert_eq!(status, 404);
    let (status, _) = super::call(&app, "DELETE", &key, "/api/v1/secrets/ORG_SHARED", None).await;
    assert_eq!(status, 404, "the org's secret is not the caller's own");
}

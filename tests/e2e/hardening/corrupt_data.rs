//! Stored data that does not read back is an error (500 `internal_error`), never a silent default.

use serde_json::json;

use super::{PASSWORD, api_key};
use crate::support::spawn_app;

#[tokio::test]
async fn unreadable_locks_are_an_error_not_an_unlocked_org() {
    let app = spawn_app().await;
    let owner = app.register("owner.corrupt@example.com", PASSWORD).await;
    let org = &owner.org_id;
    let settings = format!("/api/orgs/{org}/settings");
    let (status, _) = app
        .api(&owner.access_token)
        .update_org_settings(&org, json!({ "llm_model": "m", "locked_fields": ["llm_model"] }))
        .await;
    assert_eq!(status, 200);
    let changed = app
        .execute_sql("UPDATE settings SET locked_fields = '{\"not\": \"a list\"}'")
        .await;
    assert_eq!(changed, 1);
    for path in [settings.clone(), format!("{settings}/effective")] {
        let (status, problem) = app.call("GET", &owner.access_token, &path, None).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (500, Some("internal_error")),
            "{path}"
        );
    }
    let (status, _) = app
        .api(&owner.access_token)
        .update_my_settings(&org, json!({ "llm_model": "mine" }))
        .await;
    assert_eq!(
        status, 500,
        "an override of a field whose lock cannot be read is refused"
    );
}

#[tokio::test]
async fn unreadable_key_scopes_and_conversation_fields_are_errors() {
    let app = spawn_app().await;
    let owner = app.register("keys.corrupt@example.com", PASSWORD).await;
    let key = api_key(&app, &owner, &owner.org_id).await;
    app.execute_sql("UPDATE api_keys SET scopes = '\"secrets:read\"'")
        .await;
    let (status, problem) = app.api(&key).me().await;
    assert_eq!((status, problem["code"].as_str()), (500, Some("internal_error")));

    let org = &owner.org_id;
    let (status, conversation) = app
        .api(&owner.access_token)
        .create_conversation(&org, json!({ "title": "t" }))
        .await;
    assert_eq!(status, 201);
    let id = conversation["id"].as_str().expect("id");
    app.execute_sql("UPDATE conversations SET pr_number = '{\"broken\": true}'")
        .await;
    let (status, problem) = app.api(&owner.access_token).conversation(&org, &id).await;
    assert_eq!((status, problem["code"].as_str()), (500, Some("internal_error")));
}

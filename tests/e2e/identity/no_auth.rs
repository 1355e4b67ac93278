use serde_json::Value;

use crate::support::spawn_app_with;

#[tokio::test]
async fn without_auth_every_request_acts_as_one_local_user_created_once() {
    let app = spawn_app_with(|config| config.auth.mode = tenantry::config::AuthModeConfig::None).await;
    let me: Value = app.get("/api/auth/me").await.json().await.expect("json");
    assert!(me["id"].is_string());
    assert!(
        me["current_org_id"].is_string(),
        "the local user has a personal org"
    );

    let restarted = app
        .start_sibling(|config| config.auth.mode = tenantry::config::AuthModeConfig::None)
        .await;
    let again: Value = restarted.get("/api/auth/me").await.json().await.expect("json");
    assert_eq!(again["id"], me["id"], "the same user after a restart");
}

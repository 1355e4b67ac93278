//! Secret writes, API keys, settings and operator actions leave audit entries (names, never values).

use serde_json::{Value, json};

use super::{PASSWORD, shared_org};
use crate::support::{Session, TestApp, spawn_app};

async fn audit_actions(app: &TestApp, session: &Session, org: &str) -> Vec<Value> {
    let (status, log) = app.api(&session.access_token).audit_log(&org).await;
    assert_eq!(status, 200, "{log}");
    log["items"].as_array().expect("items").clone()
}

fn find<'a>(entries: &'a [Value], action: &str) -> &'a Value {
    entries
        .iter()
        .find(|entry| entry["action"] == action)
        .unwrap_or_else(|| panic!("no {action} entry in {entries:?}"))
}

#[tokio::test]
async fn secrets_keys_and_settings_changes_are_audited_without_values() {
    let app = spawn_app().await;
    let owner = app.register("owner.audit2@example.com", PASSWORD).await;
    let org = shared_org(&app, &owner, "Audited").await;
    let call = |method: &'static str, path: String, body: Option<Value>| {
        let token = owner.access_token.clone();
        let app = &app;
        async move { app.call(method, &token, &path, body).await }
    };
    let (status, _) = call(
        "PUT",
        format!("/api/orgs/{org}/secrets/DEPLOY_TOKEN"),
        Some(json!({ "value": "s3cr3t-deploy-value", "scope": "org" })),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        call(
            "DELETE",
            format!("/api/orgs/{org}/secrets/DEPLOY_TOKEN?scope=org"),
            None
        )
        .await
        .0,
        204
    );
    let (status, key) = call(
        "POST",
        format!("/api/orgs/{org}/api-keys"),
        Some(json!({ "name": "ci" })),
    )
    .await;
    assert_eq!(status, 201);
    let key_id = key["id"].as_str().expect("id").to_owned();
    assert_eq!(
        call("DELETE", format!("/api/orgs/{org}/api-keys/{key_id}"), None)
            .await
            .0,
        204
    );
    let (status, _) = call(
        "PATCH",
        format!("/api/orgs/{org}/settings"),
        Some(json!({ "llm_model": "openai/gpt-x", "llm_api_key": "sk-very-secret", "locked_fields": ["llm_model"] })),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        "PATCH",
        format!("/api/orgs/{org}/settings/me"),
        Some(json!({ "max_iterations": 12 })),
    )
    .await;
    assert_eq!(status, 200);

    let entries = audit_actions(&app, &owner, &org).await;
    let set = find(&entries, "secret.set");
    assert_eq!(set["target_id"], "DEPLOY_TOKEN");
    assert_eq!(set["actor_id"], owner.user_id.as_str());
    assert_eq!(find(&entries, "secret.deleted")["target_id"], "DEPLOY_TOKEN");
    assert_eq!(find(&entries, "api_key.created")["target_id"], key_id.as_str());
    assert_eq!(find(&entries, "api_key.revoked")["target_id"], key_id.as_str());
    let updates: Vec<&Value> = entries
        .iter()
        .filter(|entry| entry["action"] == "settings.updated")
        .collect();
    assert_eq!(updates.len(), 2, "{updates:?}");
    let org_update = updates
        .iter()
        .find(|entry| entry["target_id"] == "org")
        .expect("org settings");
    assert_eq!(
        org_update["detail"]["fields"],
        json!(["llm_api_key", "llm_model", "locked_fields"])
    );
    let member_update = updates
        .iter()
        .find(|entry| entry["target_id"] == owner.user_id.as_str());
    assert_eq!(
        member_update.expect("member overrides")["detail"]["fields"],
        json!(["max_iterations"])
    );
    let text = Value::Array(entries.clone()).to_string();
    for value in ["s3cr3t-deploy-value", "sk-very-secret", "openai/gpt-x"] {
        assert!(!text.contains(value), "{value} leaked into the audit log");
    }
}

#[tokio::test]
async fn operator_commands_are_audited_in_the_accounts_personal_org() {
    let app = spawn_app().await;
    app.register("first.ops@example.com", PASSWORD).await;
    let target = app.register("target.ops@example.com", PASSWORD).await;
    let run = |args: &[&str]| {
        let output = crate::support::tenantry_command(&app.data_dir)
            .args(args)
            .env("DATABASE_URL", &app.database.url)
            .env("TENANTRY_DATA_DIR", &app.data_dir)
            .env(
                "TENANTRY_AUTH_JWT_SECRET",
                crate::support::TEST_JWT_SECRET.as_str(),
            )
            .output()
            .expect("run tenantry");
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run(&["superadmin", "grant", "target.ops@example.com"]);
    run(&["superadmin", "revoke", "target.ops@example.com"]);
    run(&["users", "disable", "target.ops@example.com"]);
    run(&["users", "enable", "target.ops@example.com"]);
    let session = app.login("target.ops@example.com", PASSWORD).await.1;
    let token = session["access_token"].as_str().expect("token").to_owned();
    let entries = audit_actions(
        &app,
        &Session {
            access_token: token,
            ..target.clone()
        },
        &target.org_id,
    )
    .await;
    let actions: Vec<&str> = entries
        .iter()
        .filter_map(|entry| entry["action"].as_str())
        .collect();
    for action in [
        "superadmin.granted",
        "superadmin.revoked",
        "user.disabled",
        "user.enabled",
    ] {
        assert!(actions.contains(&action), "{action} missing from {actions:?}");
    }
    assert!(entries.iter().all(|entry| entry["detail"]["via"] == "operator"));
}

#[tokio::test]
async fn an_account_created_by_the_operator_is_audited() {
    let app = spawn_app().await;
    app.register("first.create@example.com", PASSWORD).await;
    let mut child = crate::support::tenantry_command(&app.data_dir)
        .args(["users", "create", "--email", "made.ops@example.com"])
        .env("DATABASE_URL", &app.database.url)
        .env("TENANTRY_DATA_DIR", &app.data_dir)
        .env(
            "TENANTRY_AUTH_JWT_SECRET",
            crate::support::TEST_JWT_SECRET.as_str(),
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run tenantry");
    std::io::Write::write_all(
        &mut child.stdin.take().expect("stdin"),
        b"a passphrase from stdin\n",
    )
    .expect("write");
    let output = child.wait_with_output().expect("wait");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (status, tokens) = app.login("made.ops@example.com", "a passphrase from stdin").await;
    assert_eq!(status, 200);
    let token = tokens["access_token"].as_str().expect("token");
    let (_, me) = app.api(token).me().await;
    let org = me["current_org_id"].as_str().expect("org");
    let (_, log) = app.api(token).audit_log(&org).await;
    assert_eq!(log["items"][0]["action"], "user.created", "{log}");
}

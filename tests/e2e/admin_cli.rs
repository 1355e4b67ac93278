//! The operator's commands: users and superadmins.

use std::io::Write;
use std::process::Stdio;

use serde_json::json;

use crate::support::{TestApp, spawn_app, tenantry_command};

fn tenantry(app: &TestApp, args: &[&str], stdin: Option<&str>) -> (bool, String) {
    let mut child = tenantry_command(&app.data_dir)
        .args(args)
        .env("DATABASE_URL", &app.database.url)
        .env("TENANTRY_DATA_DIR", &app.data_dir)
        .env(
            "TENANTRY_AUTH_JWT_SECRET",
            crate::support::TEST_JWT_SECRET.as_str(),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tenantry");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    let output = child.wait_with_output().expect("wait");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[tokio::test]
async fn the_first_user_is_superadmin_and_the_last_superadmin_stays() {
    let app = spawn_app().await;
    let first = app
        .register("first@example.com", "correct horse battery staple")
        .await;
    let second = app
        .register("second@example.com", "correct horse battery staple")
        .await;
    let (_, me) = app.api(&first.access_token).me().await;
    assert_eq!(me["is_superadmin"], true, "the first user of an empty install");
    let (_, me) = app.api(&second.access_token).me().await;
    assert_eq!(me["is_superadmin"], false);

    let (ok, out) = tenantry(&app, &["superadmin", "revoke", "first@example.com"], None);
    assert!(!ok && out.contains("last_superadmin"), "{out}");
    let (ok, out) = tenantry(&app, &["superadmin", "grant", "second@example.com"], None);
    assert!(ok, "{out}");
    let (ok, out) = tenantry(&app, &["superadmin", "revoke", "first@example.com"], None);
    assert!(ok, "{out}");
    let (ok, out) = tenantry(&app, &["users", "list"], None);
    assert!(ok);
    let second_line = out
        .lines()
        .find(|line| line.contains("second@example.com"))
        .expect("listed");
    assert!(second_line.contains("superadmin"), "{out}");
    let first_line = out
        .lines()
        .find(|line| line.contains("first@example.com"))
        .expect("listed");
    assert!(!first_line.contains("superadmin"), "{out}");
}

#[tokio::test]
async fn created_users_sign_in_and_disabled_users_lose_tokens_and_keys_at_once() {
    let app = spawn_app().await;
    let (ok, out) = tenantry(
        &app,
        &["users", "create", "--email", "ops@example.com", "--name", "Ops"],
        Some("a passphrase from stdin\n"),
    );
    assert!(ok, "{out}");
    let (status, tokens) = app.login("ops@example.com", "a passphrase from stdin").await;
    assert_eq!(status, 200);
    let token = tokens["access_token"].as_str().expect("token").to_owned();
    let (_, me) = app.api(&token).me().await;
    let org = me["current_org_id"].as_str().expect("org").to_owned();
    let (_, key) = app
        .api(&token)
        .create_api_key(&org, json!({ "name": "ops" }))
        .await;
    let key = key["key"].as_str().expect("key").to_owned();
    assert_eq!(app.api(&key).me().await.0, 200);

    let (ok, out) = tenantry(&app, &["users", "disable", "ops@example.com"], None);
    assert!(ok && out.contains("disabled"), "{out}");
    assert_eq!(app.api(&token).me().await.0, 401, "access token");
    assert_eq!(app.api(&key).me().await.0, 401, "API key");
    let refresh = tokens["refresh_token"].as_str().expect("refresh");
    let (status, _) = app.api("").refresh(json!({ "refresh_token": refresh })).await;
    assert_eq!(status, 401, "refresh token");
    assert_eq!(
        app.login("ops@example.com", "a passphrase from stdin").await.0,
        401,
        "login"
    );
}

#[tokio::test]
async fn an_operator_verifies_an_email_and_the_account_may_then_join_orgs() {
    let app = crate::support::spawn_app_with(|config| config.orgs.require_verified_email = true).await;
    let owner = app
        .register("owner.verify@example.com", "correct horse battery staple")
        .await;
    let joiner = app
        .register("joiner.verify@example.com", "correct horse battery staple")
        .await;
    let (status, org) = app
        .api(&owner.access_token)
        .create_org(json!({ "name": "Verified Only" }))
        .await;
    assert_eq!(status, 201, "{org}");
    let org_id = org["id"].as_str().expect("org id").to_owned();
    let add = json!({ "email": "joiner.verify@example.com", "role": "developer" });
    let (refused, body) = app
        .api(&owner.access_token)
        .add_member(&org_id, add.clone())
        .await;
    assert_eq!(refused, 409, "an unverified email cannot join: {body}");
    assert_eq!(body["code"], "email_unverified", "{body}");

    let (ok, out) = tenantry(&app, &["users", "list"], None);
    assert!(
        ok && out
            .lines()
            .any(|line| line.contains("joiner.verify@example.com") && line.contains("unverified")),
        "{out}"
    );
    let (ok, out) = tenantry(&app, &["users", "verify", "joiner.verify@example.com"], None);
    assert!(ok && out.starts_with("verified "), "{out}");
    let (_, me) = app.api(&joiner.access_token).me().await;
    assert_eq!(me["email_verified"], true);
    let (added, body) = app.api(&owner.access_token).add_member(&org_id, add).await;
    assert_eq!(added, 201, "{body}");
    let (ok, out) = tenantry(&app, &["users", "verify", "nobody@example.com"], None);
    assert!(!ok, "an unknown email is an error: {out}");
}

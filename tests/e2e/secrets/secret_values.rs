//! Secrets: scopes and roles, names, write-only values, the runtime read.

use serde_json::{Value, json};

use crate::{conversations::create_conversation, support::Cast, support::spawn_app};

#[tokio::test]
async fn scopes_follow_roles_and_values_are_never_listed() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "scopes", "Scopes Co").await;
    let secret = |name: &str| format!("/api/orgs/{}/secrets/{name}", cast.org);
    let put = |value: &str, scope: &str| json!({ "value": value, "scope": scope, "description": "d" });

    let (status, _) = app
        .api(&cast.viewer.access_token)
        .put_secret(&cast.org, "VIEWER_TOKEN", put("v", "user"))
        .await;
    assert_eq!(status, 403, "viewers have no secrets");
    let (status, meta) = app
        .api(&cast.developer.access_token)
        .put_secret(&cast.org, "GITHUB_TOKEN", put("ghp-dev-value-3", "user"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(meta["scope"], "user");
    assert!(meta.get("value").is_none());
    let (status, _) = app
        .api(&cast.developer.access_token)
        .put_secret(&cast.org, "SHARED", put("x", "org"))
        .await;
    assert_eq!(status, 403, "org secrets need admin");
    let (status, _) = app
        .api(&cast.admin.access_token)
        .put_secret(&cast.org, "SHARED_TOKEN", put("org-shared-value-4", "org"))
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .api(&cast.admin.access_token)
        .put_secret(&cast.org, "ADMIN_OWN", put("admin-own-value-5", "user"))
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .api(&cast.outsider.access_token)
        .put_secret(&cast.org, "X", put("x", "user"))
        .await;
    assert_eq!(status, 404);
    for bad in ["lower", "1ABC", "WITH-DASH"] {
        let (status, _) = app
            .api(&cast.developer.access_token)
            .put_secret(&cast.org, bad, put("x", "user"))
            .await;
        assert_eq!(status, 422, "{bad}");
    }
    let too_big = "x".repeat(64 * 1024 + 1);
    let (status, _) = app
        .api(&cast.developer.access_token)
        .put_secret(&cast.org, "BIG", put(&too_big, "user"))
        .await;
    assert_eq!(status, 422);

    let (status, listed) = app.api(&cast.developer.access_token).secrets(&cast.org).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        ["SHARED_TOKEN", "GITHUB_TOKEN"],
        "org secrets and my own, not the admin's own"
    );
    let text = listed.to_string();
    assert!(!text.contains("ghp-dev-value-3") && !text.contains("org-shared-value-4"));
    for item in listed["items"].as_array().expect("items") {
        for field in ["name", "description", "scope", "created_at", "updated_at"] {
            assert!(item.get(field).is_some(), "{field}");
        }
    }

    let (status, _) = app
        .call(
            "DELETE",
            &cast.developer.access_token,
            &format!("{}?scope=org", secret("SHARED_TOKEN")),
            None,
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .api(&cast.developer.access_token)
        .delete_secret(&cast.org, "GITHUB_TOKEN")
        .await;
    assert_eq!(status, 204);
    let (status, _) = app
        .api(&cast.developer.access_token)
        .delete_secret(&cast.org, "GITHUB_TOKEN")
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_runtime_read_is_separately_permissioned_and_audited() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "runtime", "Runtime Co").await;
    let org = &cast.org;
    app.api(&cast.admin.access_token)
        .put_secret(&org, "SHARED", json!({ "value": "org-value", "scope": "org" }))
        .await;
    app.api(&cast.developer.access_token)
        .put_secret(
            &org,
            "SHARED",
            json!({ "value": "dev-override", "scope": "user" }),
        )
        .await;
    app.api(&cast.developer.access_token)
        .put_secret(&org, "MINE", json!({ "value": "dev-only", "scope": "user" }))
        .await;
    let id = create_conversation(
        &app,
        &cast.developer.access_token,
        org,
        json!({ "visibility": "org" }),
    )
    .await;

    let (status, body) = app
        .api(&cast.developer.access_token)
        .runtime_secrets(&org, &id)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["secrets"],
        json!({ "SHARED": "dev-override", "MINE": "dev-only" })
    );
    let (status, body) = app.api(&cast.admin.access_token).runtime_secrets(&org, &id).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["secrets"],
        json!({ "SHARED": "org-value" }),
        "others' own secrets stay theirs"
    );
    let (status, _) = app
        .api(&cast.viewer.access_token)
        .runtime_secrets(&org, &id)
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .api(&cast.outsider.access_token)
        .runtime_secrets(&org, &id)
        .await;
    assert_eq!(status, 404);

    let (_, plain) = app
        .api(&cast.developer.access_token)
        .create_api_key(&org, json!({ "name": "ci" }))
        .await;
    let (_, scoped) = app
        .api(&cast.developer.access_token)
        .create_api_key(&org, json!({ "name": "runtime", "scopes": ["secrets:read"] }))
        .await;
    let (status, _) = app
        .api(plain["key"].as_str().expect("key"))
        .runtime_secrets(&org, &id)
        .await;
    assert_eq!(status, 403, "a key without secrets:read");
    let (status, body) = app
        .api(scoped["key"].as_str().expect("key"))
        .runtime_secrets(&org, &id)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["secrets"]["MINE"], "dev-only");

    let (_, log) = app.api(&cast.admin.access_token).audit_log(&org).await;
    let reads = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "secrets.read")
        .count();
    assert_eq!(reads, 3);
    assert!(
        !log.to_string().contains("dev-only"),
        "the audit names secrets, never values"
    );
    let _: Value = log;
}

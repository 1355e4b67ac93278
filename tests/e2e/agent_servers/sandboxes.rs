//! Registering, listing and deleting sandboxes; what a sandbox's key may do.

use serde_json::json;

use super::{PASSWORD, deliver, register_sandbox};
use crate::support::{Session, TestApp, spawn_app};

async fn member(app: &TestApp, owner: &Session, org: &str, email: &str, role: &str) -> Session {
    let session = app.register(email, PASSWORD).await;
    let (status, body) = app
        .api(&owner.access_token)
        .add_member(&org, json!({ "email": email, "role": role }))
        .await;
    assert_eq!(status, 201, "{body}");
    session
}

#[tokio::test]
async fn developers_register_sandboxes_admins_see_and_delete_all() {
    let app = spawn_app().await;
    let owner = app.register("owner.sandboxes@example.com", PASSWORD).await;
    let (_, org) = app
        .api(&owner.access_token)
        .create_org(json!({ "name": "Boxes" }))
        .await;
    let org = org["id"].as_str().expect("org").to_owned();
    let dev = member(&app, &owner, &org, "dev.sandboxes@example.com", "developer").await;
    let dev2 = member(&app, &owner, &org, "dev2.sandboxes@example.com", "developer").await;
    let viewer = member(&app, &owner, &org, "viewer.sandboxes@example.com", "viewer").await;

    let (status, created) = app
        .api(&dev.access_token)
        .register_sandbox(&org, json!({ "name": "ci runner", "url": "http://127.0.0.1:9/" }))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["url"], "http://127.0.0.1:9");
    assert!(
        created["webhook_base_url"]
            .as_str()
            .expect("base")
            .ends_with("/api/v1/webhooks")
    );
    let key = created["session_api_key"].as_str().expect("key").to_owned();
    let id = created["id"].as_str().expect("id").to_owned();
    let (status, _) = app
        .api(&viewer.access_token)
        .register_sandbox(&org, json!({ "name": "nope" }))
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .api(&dev.access_token)
        .register_sandbox(&org, json!({ "name": "x", "url": "ftp://x" }))
        .await;
    assert_eq!(status, 422);

    let (status, _) = app
        .api(&dev.access_token)
        .create_conversation(&org, json!({ "initial_message": "no sandbox named" }))
        .await;
    assert_eq!(status, 422, "a first message needs an agent server to go to");
    let (_, own) = app.api(&dev.access_token).sandboxes(&org).await;
    assert_eq!(own["items"].as_array().expect("items").len(), 1);
    assert!(!own.to_string().contains(&key), "the key is never shown again");
    let (_, others) = app.api(&dev2.access_token).sandboxes(&org).await;
    assert_eq!(others["items"], json!([]), "developers see their own");
    let (_, all) = app.api(&owner.access_token).sandboxes(&org).await;
    assert_eq!(all["items"].as_array().expect("items").len(), 1, "admins see all");

    let (status, _) = app.api(&dev2.access_token).delete_sandbox(&org, &id).await;
    assert_eq!(status, 403, "another developer's sandbox");
    let (status, _) = app.api(&owner.access_token).delete_sandbox(&org, &id).await;
    assert_eq!(status, 204);
    let (status, _) = deliver(
        &app,
        Some(&key),
        "/conversations",
        &json!({ "id": uuid::Uuid::new_v4() }),
    )
    .await;
    assert_eq!(status, 401);

    let (_, log) = app.api(&owner.access_token).audit_log(&org).await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|entry| entry["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"sandbox.created") && actions.contains(&"sandbox.deleted"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn removing_or_demoting_the_creator_stops_their_sandboxes() {
    let app = spawn_app().await;
    let owner = app.register("owner.leaver@example.com", PASSWORD).await;
    let (_, org) = app
        .api(&owner.access_token)
        .create_org(json!({ "name": "Leavers" }))
        .await;
    let org = org["id"].as_str().expect("org").to_owned();
    let demoted = member(&app, &owner, &org, "demoted.leaver@example.com", "developer").await;
    let leaver = member(&app, &owner, &org, "leaver.leaver@example.com", "developer").await;
    let demoted_box = register_sandbox(&app, &demoted, &org, "d").await;
    let leaver_box = register_sandbox(&app, &leaver, &org, "l").await;
    let report = |_: ()| json!({ "id": uuid::Uuid::new_v4(), "execution_status": "running" });
    assert_eq!(
        deliver(&app, Some(&demoted_box.key), "/conversations", &report(()))
            .await
            .0,
        204
    );
    assert_eq!(
        deliver(&app, Some(&leaver_box.key), "/conversations", &report(()))
            .await
            .0,
        204
    );

    app.api(&owner.access_token)
        .change_role(&org, &demoted.user_id, json!({ "role": "viewer" }))
        .await;
    assert_eq!(
        deliver(&app, Some(&demoted_box.key), "/conversations", &report(()))
            .await
            .0,
        403,
        "a viewer's sandbox may not create conversations"
    );
    let (status, _) = app
        .api(&owner.access_token)
        .remove_member(&org, &leaver.user_id)
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        deliver(&app, Some(&leaver_box.key), "/conversations", &report(()))
            .await
            .0,
        401
    );
    let (_, listed) = app.api(&owner.access_token).sandboxes(&org).await;
    assert_eq!(
        listed["items"].as_array().expect("items").len(),
        1,
        "the leaver's is revoked"
    );
}

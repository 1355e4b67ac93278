//! Creating, naming, switching, transferring and deleting orgs; personal orgs; roles.

use serde_json::{Value, json};

use crate::support::spawn_app;
use crate::support::{Cast, PASSWORD};

#[tokio::test]
async fn org_names_are_unique_case_insensitively() {
    let app = spawn_app().await;
    let alice = app.register("alice.names@example.com", PASSWORD).await;
    let bob = app.register("bob.names@example.com", PASSWORD).await;
    let (status, org) = app
        .api(&alice.access_token)
        .create_org(json!({ "name": "Acme Corp" }))
        .await;
    assert_eq!(status, 201);
    assert_eq!(org["role"], "owner");
    assert_eq!(org["personal"], false);
    let (status, body) = app
        .api(&bob.access_token)
        .create_org(json!({ "name": "  ACME corp " }))
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("org_name_taken")));
    let (status, other) = app
        .api(&bob.access_token)
        .create_org(json!({ "name": "Bob's" }))
        .await;
    assert_eq!(status, 201);
    let (status, body) = app
        .api(&bob.access_token)
        .update_org(&other["id"].as_str().expect("id"), json!({ "name": "acme CORP" }))
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("org_name_taken")));
    let (status, body) = app.api(&bob.access_token).create_org(json!({ "name": "" })).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("validation_failed")));
}

#[tokio::test]
async fn listing_shows_every_org_with_my_role() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "list", "Listing Ltd").await;
    let (status, body) = app.api(&cast.developer.access_token).orgs().await;
    assert_eq!(status, 200);
    let items = body["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "personal org and the shared one");
    assert_eq!(items[0]["personal"], true);
    assert_eq!(items[0]["role"], "owner");
    assert_eq!(items[1]["id"], cast.org.as_str());
    assert_eq!(items[1]["role"], "developer");
}

#[tokio::test]
async fn personal_orgs_take_no_members_and_cannot_be_deleted() {
    let app = spawn_app().await;
    let alice = app.register("alice.personal@example.com", PASSWORD).await;
    app.register("bob.personal@example.com", PASSWORD).await;
    let (status, body) = app.api(&alice.access_token).delete_org(&alice.org_id).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("personal_org")));
    let (status, body) = app
        .api(&alice.access_token)
        .add_member(
            &alice.org_id,
            json!({ "email": "bob.personal@example.com", "role": "viewer" }),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("personal_org")));
    let (status, body) = app
        .api(&alice.access_token)
        .invite(
            &alice.org_id,
            json!({ "email": "bob.personal@example.com", "role": "viewer" }),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("personal_org")));
    let (status, body) = app
        .api(&alice.access_token)
        .remove_member(&alice.org_id, &alice.user_id)
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("personal_org")));
}

#[tokio::test]
async fn adding_members_follows_the_rules() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "adding", "Adding Co").await;
    let (status, _) = app
        .api(&cast.admin.access_token)
        .add_member(
            &cast.org,
            json!({ "email": "ghost@example.com", "role": "viewer" }),
        )
        .await;
    assert_eq!(status, 404, "unknown users are 404");
    let (status, body) = app
        .api(&cast.admin.access_token)
        .add_member(
            &cast.org,
            json!({ "email": "viewer.adding@example.com", "role": "viewer" }),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("already_member")));
    let (status, _) = app
        .api(&cast.admin.access_token)
        .add_member(
            &cast.org,
            json!({ "email": "outsider.adding@example.com", "role": "owner" }),
        )
        .await;
    assert_eq!(status, 403, "an admin cannot grant owner");
    let (status, body) = app
        .api(&cast.admin.access_token)
        .add_member(
            &cast.org,
            json!({ "email": "outsider.adding@example.com", "role": "superuser" }),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (422, Some("validation_failed")));
    let (status, member) = app
        .api(&cast.admin.access_token)
        .add_member(
            &cast.org,
            json!({ "email": "Outsider.Adding@example.com", "role": "admin" }),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(member["role"], "admin");
    assert_eq!(member["user_id"], cast.outsider.user_id.as_str());
    for field in ["user_id", "email", "name", "role", "joined_at"] {
        assert!(member.get(field).is_some(), "member has {field}");
    }
}

#[tokio::test]
async fn switching_transferring_and_removal_move_current_orgs() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "moves", "Moves Inc").await;
    let (status, me) = app.api(&cast.viewer.access_token).switch_org(&cast.org).await;
    assert_eq!(status, 200);
    assert_eq!(me["current_org_id"], cast.org.as_str());
    let (_, me) = app.api(&cast.viewer.access_token).me().await;
    assert_eq!(me["current_org_id"], cast.org.as_str());

    let (status, _) = app
        .api(&cast.admin.access_token)
        .remove_member(&cast.org, &cast.viewer.user_id)
        .await;
    assert_eq!(status, 204);
    let (_, me) = app.api(&cast.viewer.access_token).me().await;
    assert_eq!(
        me["current_org_id"],
        cast.viewer.org_id.as_str(),
        "back to the personal org"
    );
    let (status, _) = app.api(&cast.viewer.access_token).org(&cast.org).await;
    assert_eq!(status, 404, "a former member sees nothing");

    let (status, org) = app
        .api(&cast.owner.access_token)
        .transfer_org(&cast.org, json!({ "user_id": cast.developer.user_id }))
        .await;
    assert_eq!(status, 200);
    assert_eq!(org["role"], "admin", "the previous owner becomes admin");
    let (_, members) = app.api(&cast.developer.access_token).members(&cast.org).await;
    let role_of = |user: &str| -> Value {
        members["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|member| member["user_id"] == user)
            .map(|member| member["role"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(role_of(&cast.developer.user_id), "owner");
    assert_eq!(role_of(&cast.owner.user_id), "admin");
}

#[tokio::test]
async fn deleting_an_org_removes_it_for_everyone() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "deleting", "Doomed Ltd").await;
    app.api(&cast.developer.access_token).switch_org(&cast.org).await;
    let (status, _) = app.api(&cast.owner.access_token).delete_org(&cast.org).await;
    assert_eq!(status, 204);
    for session in [&cast.owner, &cast.developer] {
        let (status, _) = app.api(&session.access_token).org(&cast.org).await;
        assert_eq!(status, 404);
    }
    let (_, me) = app.api(&cast.developer.access_token).me().await;
    assert_eq!(me["current_org_id"], cast.developer.org_id.as_str());
    let (status, _) = app
        .api(&cast.owner.access_token)
        .create_org(json!({ "name": "Doomed Ltd" }))
        .await;
    assert_eq!(status, 201, "the name is free again");
}

#[tokio::test]
async fn roles_are_listed_with_ranks_and_permissions() {
    let app = spawn_app().await;
    let session = app.register("roles@example.com", PASSWORD).await;
    let (status, body) = app.api(&session.access_token).roles().await;
    assert_eq!(status, 200);
    let roles: Vec<(String, i64)> = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|role| {
            (
                role["name"].as_str().expect("name").to_owned(),
                role["rank"].as_i64().expect("rank"),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("owner".into(), 0),
            ("admin".into(), 10),
            ("developer".into(), 100),
            ("viewer".into(), 1000)
        ]
    );
    let viewer = &body["items"][3]["permissions"];
    assert_eq!(viewer, &json!(["org:read"]));
}

//! Creating, naming, switching, transferring and deleting orgs; personal orgs; roles.

use serde_json::{Value, json};

use super::{PASSWORD, org_with_cast, register_cast};
use crate::support::spawn_app;

#[tokio::test]
async fn org_names_are_unique_case_insensitively() {
    let app = spawn_app().await;
    let alice = app.register("alice.names@example.com", PASSWORD).await;
    let bob = app.register("bob.names@example.com", PASSWORD).await;
    let (status, org) = app
        .call(
            "POST",
            &alice.access_token,
            "/api/orgs",
            Some(json!({ "name": "Acme Corp" })),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(org["role"], "owner");
    assert_eq!(org["personal"], false);
    let (status, body) = app
        .call(
            "POST",
            &bob.access_token,
            "/api/orgs",
            Some(json!({ "name": "  ACME corp " })),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("org_name_taken")));
    let (status, other) = app
        .call(
            "POST",
            &bob.access_token,
            "/api/orgs",
            Some(json!({ "name": "Bob's" })),
        )
        .await;
    assert_eq!(status, 201);
    let (status, body) = app
        .call(
            "PATCH",
            &bob.access_token,
            &format!("/api/orgs/{}", other["id"].as_str().expect("id")),
            Some(json!({ "name": "acme CORP" })),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("org_name_taken")));
    let (status, body) = app
        .call(
            "POST",
            &bob.access_token,
            "/api/orgs",
            Some(json!({ "name": "" })),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (422, Some("validation_failed")));
}

#[tokio::test]
async fn listing_shows_every_org_with_my_role() {
    let app = spawn_app().await;
    let users = register_cast(&app, "list").await;
    let cast = org_with_cast(&app, &users, "list", "Listing Ltd").await;
    let (status, body) = app
        .call("GET", &cast.developer.access_token, "/api/orgs", None)
        .await;
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
    let personal = format!("/api/orgs/{}", alice.org_id);
    let (status, body) = app.call("DELETE", &alice.access_token, &personal, None).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("personal_org")));
    let (status, body) = app
        .call(
            "POST",
            &alice.access_token,
            &format!("{personal}/members"),
            Some(json!({ "email": "bob.personal@example.com", "role": "viewer" })),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("personal_org")));
    let (status, body) = app
        .call(
            "POST",
            &alice.access_token,
            &format!("{personal}/invitations"),
            Some(json!({ "email": "bob.personal@example.com", "role": "viewer" })),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("personal_org")));
    let (status, body) = app
        .call(
            "DELETE",
            &alice.access_token,
            &format!("{personal}/members/{}", alice.user_id),
            None,
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("personal_org")));
}

#[tokio::test]
async fn adding_members_follows_the_rules() {
    let app = spawn_app().await;
    let users = register_cast(&app, "adding").await;
    let cast = org_with_cast(&app, &users, "adding", "Adding Co").await;
    let members = format!("/api/orgs/{}/members", cast.org);
    let (status, _) = app
        .call(
            "POST",
            &cast.admin.access_token,
            &members,
            Some(json!({ "email": "ghost@example.com", "role": "viewer" })),
        )
        .await;
    assert_eq!(status, 404, "unknown users are 404");
    let (status, body) = app
        .call(
            "POST",
            &cast.admin.access_token,
            &members,
            Some(json!({ "email": "viewer.adding@example.com", "role": "viewer" })),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("already_member")));
    let (status, _) = app
        .call(
            "POST",
            &cast.admin.access_token,
            &members,
            Some(json!({ "email": "outsider.adding@example.com", "role": "owner" })),
        )
        .await;
    assert_eq!(status, 403, "an admin cannot grant owner");
    let (status, body) = app
        .call(
            "POST",
            &cast.admin.access_token,
            &members,
            Some(json!({ "email": "outsider.adding@example.com", "role": "superuser" })),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (422, Some("validation_failed")));
    let (status, member) = app
        .call(
            "POST",
            &cast.admin.access_token,
            &members,
            Some(json!({ "email": "Outsider.Adding@example.com", "role": "admin" })),
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
    let users = register_cast(&app, "moves").await;
    let cast = org_with_cast(&app, &users, "moves", "Moves Inc").await;
    let (status, me) = app
        .call(
            "POST",
            &cast.viewer.access_token,
            &format!("/api/orgs/{}/switch", cast.org),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(me["current_org_id"], cast.org.as_str());
    let (_, me) = app
        .call("GET", &cast.viewer.access_token, "/api/auth/me", None)
        .await;
    assert_eq!(me["current_org_id"], cast.org.as_str());

    let (status, _) = app
        .call(
            "DELETE",
            &cast.admin.access_token,
            &format!("/api/orgs/{}/members/{}", cast.org, cast.viewer.user_id),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (_, me) = app
        .call("GET", &cast.viewer.access_token, "/api/auth/me", None)
        .await;
    assert_eq!(
        me["current_org_id"],
        cast.viewer.org_id.as_str(),
        "back to the personal org"
    );
    let (status, _) = app
        .call(
            "GET",
            &cast.viewer.access_token,
            &format!("/api/orgs/{}", cast.org),
            None,
        )
        .await;
    assert_eq!(status, 404, "a former member sees nothing");

    let (status, org) = app
        .call(
            "POST",
            &cast.owner.access_token,
            &format!("/api/orgs/{}/transfer", cast.org),
            Some(json!({ "user_id": cast.developer.user_id })),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(org["role"], "admin", "the previous owner becomes admin");
    let (_, members) = app
        .call(
            "GET",
            &cast.developer.access_token,
            &format!("/api/orgs/{}/members", cast.org),
            None,
        )
        .await;
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
    let users = register_cast(&app, "deleting").await;
    let cast = org_with_cast(&app, &users, "deleting", "Doomed Ltd").await;
    app.call(
        "POST",
        &cast.developer.access_token,
        &format!("/api/orgs/{}/switch", cast.org),
        None,
    )
    .await;
    let (status, _) = app
        .call(
            "DELETE",
            &cast.owner.access_token,
            &format!("/api/orgs/{}", cast.org),
            None,
        )
        .await;
    assert_eq!(status, 204);
    for session in [&cast.owner, &cast.developer] {
        let (status, _) = app
            .call(
                "GET",
                &session.access_token,
                &format!("/api/orgs/{}", cast.org),
                None,
            )
            .await;
        assert_eq!(status, 404);
    }
    let (_, me) = app
        .call("GET", &cast.developer.access_token, "/api/auth/me", None)
        .await;
    assert_eq!(me["current_org_id"], cast.developer.org_id.as_str());
    let (status, _) = app
        .call(
            "POST",
            &cast.owner.access_token,
            "/api/orgs",
            Some(json!({ "name": "Doomed Ltd" })),
        )
        .await;
    assert_eq!(status, 201, "the name is free again");
}

#[tokio::test]
async fn roles_are_listed_with_ranks_and_permissions() {
    let app = spawn_app().await;
    let session = app.register("roles@example.com", PASSWORD).await;
    let (status, body) = app.call("GET", &session.access_token, "/api/roles", None).await;
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

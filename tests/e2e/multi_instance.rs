//! Two servers on one database and one object store behave as one service.

use std::collections::HashSet;

use futures::future::join_all;
use serde_json::json;

use crate::{
    conversations::create_conversation,
    orgs::{org_with_cast, register_cast},
    support::spawn_app,
};

#[tokio::test]
async fn changes_made_on_one_instance_take_effect_on_the_other_at_the_next_request() {
    let a = spawn_app().await;
    let b = a.start_sibling(|_| {}).await;
    let users = register_cast(&a, "twins").await;
    let cast = org_with_cast(&a, &users, "twins", "Twins Co").await;

    // Role change on A, seen by B.
    let conversations = format!("/api/orgs/{}/conversations", cast.org);
    assert_eq!(
        b.call(
            "POST",
            &cast.developer.access_token,
            &conversations,
            Some(json!({}))
        )
        .await
        .0,
        201
    );
    a.call(
        "PATCH",
        &cast.admin.access_token,
        &format!("/api/orgs/{}/members/{}", cast.org, cast.developer.user_id),
        Some(json!({ "role": "viewer" })),
    )
    .await;
    assert_eq!(
        b.call(
            "POST",
            &cast.developer.access_token,
            &conversations,
            Some(json!({}))
        )
        .await
        .0,
        403
    );

    // API key revoked on B, refused by A.
    let keys = format!("/api/orgs/{}/api-keys", cast.org);
    let (_, key) = a
        .call(
            "POST",
            &cast.admin.access_token,
            &keys,
            Some(json!({ "name": "k" })),
        )
        .await;
    let secret = key["key"].as_str().expect("key");
    assert_eq!(a.call("GET", secret, "/api/auth/me", None).await.0, 200);
    b.call(
        "DELETE",
        &cast.admin.access_token,
        &format!("{keys}/{}", key["id"].as_str().expect("id")),
        None,
    )
    .await;
    assert_eq!(a.call("GET", secret, "/api/auth/me", None).await.0, 401);

    // Logout-all on A, refused by B.
    assert_eq!(
        b.call("GET", &cast.owner.access_token, "/api/auth/me", None)
            .await
            .0,
        200
    );
    a.call("POST", &cast.owner.access_token, "/api/auth/logout-all", None)
        .await;
    assert_eq!(
        b.call("GET", &cast.owner.access_token, "/api/auth/me", None)
            .await
            .0,
        401
    );
}

#[tokio::test]
async fn event_ids_stay_dense_with_appends_spread_over_both_instances() {
    let a = spawn_app().await;
    let b = a.start_sibling(|_| {}).await;
    let users = register_cast(&a, "spread").await;
    let cast = org_with_cast(&a, &users, "spread", "Spread Co").await;
    let token = &cast.developer.access_token;
    let id = create_conversation(&a, token, &cast.org, json!({})).await;
    let path = format!("/api/orgs/{}/conversations/{id}/events", cast.org);

    let appenders = (0..10).map(|task| {
        let instance = if task % 2 == 0 { &a } else { &b };
        let path = &path;
        async move {
            let mut ids = Vec::new();
            for n in 0..10 {
                let (status, range) = instance
                    .call("POST", token, path, Some(json!({ "task": task, "n": n })))
                    .await;
                assert_eq!(status, 201);
                ids.push(range["first_id"].as_i64().expect("id"));
            }
            ids
        }
    });
    let mut ids: Vec<i64> = join_all(appenders).await.into_iter().flatten().collect();
    ids.sort();
    assert_eq!(ids, (0..100).collect::<Vec<_>>());
    let (_, page) = b.call("GET", token, &format!("{path}?limit=1000"), None).await;
    let read: HashSet<(i64, i64)> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| {
            (
                item["event"]["task"].as_i64().expect("t"),
                item["event"]["n"].as_i64().expect("n"),
            )
        })
        .collect();
    assert_eq!(read.len(), 100);
}

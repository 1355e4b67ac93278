//! An org never loses its last owner, also under real concurrency.

use futures::future::join_all;
use serde_json::{Value, json};

use crate::support::{Cast, PASSWORD};
use crate::support::{Session, TestApp, spawn_app};

async fn owners(app: &TestApp, token: &str, org: &str) -> usize {
    let (_, members) = app.api(token).members(&org).await;
    members["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|member| member["role"] == "owner")
        .count()
}

async fn org_with_owners(app: &TestApp, tag: &str, count: usize) -> (String, Vec<Session>) {
    let mut sessions = Vec::new();
    for n in 0..count {
        sessions.push(
            app.register(&format!("owner{n}.{tag}@example.com"), PASSWORD)
                .await,
        );
    }
    let (_, org) = app
        .api(&sessions[0].access_token)
        .create_org(json!({ "name": format!("Owners {tag}") }))
        .await;
    let org = org["id"].as_str().expect("org id").to_owned();
    for n in 1..count {
        let (status, _) = app
            .api(&sessions[0].access_token)
            .add_member(
                &org,
                json!({ "email": format!("owner{n}.{tag}@example.com"), "role": "owner" }),
            )
            .await;
        assert_eq!(status, 201);
    }
    (org, sessions)
}

#[tokio::test]
async fn two_owners_demoting_themselves_at_once_leave_one_owner() {
    let app = spawn_app().await;
    for round in 0..5 {
        let (org, owners_) = org_with_owners(&app, &format!("demote{round}"), 2).await;
        let app = &app;
        let org = &org;
        let demotions = owners_.iter().map(|owner| async move {
            app.api(&owner.access_token)
                .change_role(&org, &owner.user_id, json!({ "role": "admin" }))
                .await
        });
        let outcomes: Vec<(u16, Value)> = join_all(demotions).await;
        let mut statuses: Vec<u16> = outcomes.iter().map(|(status, _)| *status).collect();
        statuses.sort();
        assert_eq!(statuses, [200, 409], "round {round}: {outcomes:?}");
        let refused = outcomes
            .iter()
            .find(|(status, _)| *status == 409)
            .expect("refusal");
        assert_eq!(refused.1["code"], "last_owner");
        assert_eq!(owners(app, &owners_[0].access_token, org).await, 1);
    }
}

#[tokio::test]
async fn many_owners_leaving_at_once_leave_exactly_one() {
    let app = spawn_app().await;
    let (org, sessions) = org_with_owners(&app, "leave", 6).await;
    let (app_ref, org_ref) = (&app, &org);
    let leaves = sessions.iter().map(|owner| async move {
        app_ref
            .api(&owner.access_token)
            .remove_member(&org_ref, &owner.user_id)
            .await
    });
    let outcomes: Vec<(u16, Value)> = join_all(leaves).await;
    let left = outcomes.iter().filter(|(status, _)| *status == 204).count();
    let refused: Vec<&Value> = outcomes
        .iter()
        .filter(|(status, _)| *status == 409)
        .map(|(_, body)| body)
        .collect();
    assert_eq!((left, refused.len()), (5, 1), "{outcomes:?}");
    assert_eq!(refused[0]["code"], "last_owner");
    let remaining = outcomes
        .iter()
        .position(|(status, _)| *status == 409)
        .expect("the remaining owner");
    assert_eq!(owners(&app, &sessions[remaining].access_token, &org).await, 1);
}

#[tokio::test]
async fn the_last_owner_cannot_be_demoted_removed_or_leave() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "last", "Last Owner Inc").await;
    let owner = &cast.owner;
    let (status, body) = app
        .api(&owner.access_token)
        .change_role(&cast.org, &owner.user_id, json!({ "role": "admin" }))
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("last_owner")));
    let (status, body) = app
        .api(&owner.access_token)
        .remove_member(&cast.org, &owner.user_id)
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("last_owner")));
    let (status, _) = app
        .api(&cast.admin.access_token)
        .remove_member(&cast.org, &owner.user_id)
        .await;
    assert_eq!(status, 403, "an admin cannot act on an owner");
    assert_eq!(owners(&app, &owner.access_token, &cast.org).await, 1);
}

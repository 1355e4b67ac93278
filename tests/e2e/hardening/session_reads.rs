//! The reads that confirm their session in the same statement as their data (the list, one
//! conversation, a window of events, and the check before an append) refuse an access token at the
//! next request once its session ends, its user is disabled or the user's token epoch moves on;
//! many at once included.

use serde_json::{Value, json};

use super::{PASSWORD, id};
use crate::support::{TestApp, spawn_app};

/// Where the three reads of conversation `id` in `org` are.
fn read_paths(org: &str, id: &str) -> [String; 3] {
    [
        format!("/api/orgs/{org}/conversations"),
        format!("/api/orgs/{org}/conversations/{id}"),
        format!("/api/orgs/{org}/conversations/{id}/events?start_id=0&limit=10"),
    ]
}

/// The statuses of the three reads with `token`, and their bodies.
async fn read_all(app: &TestApp, token: &str, org: &str, id: &str) -> Vec<(u16, Value)> {
    let mut replies = Vec::new();
    for path in read_paths(org, id) {
        replies.push(app.api(token).get(&path).await);
    }
    replies
}

fn statuses(replies: &[(u16, Value)]) -> Vec<u16> {
    replies.iter().map(|(status, _)| *status).collect()
}

/// A new conversation of three events in `org`, started with `token`.
async fn conversation_with_events(app: &TestApp, token: &str, org: &str) -> String {
    let (status, body) = app
        .api(token)
        .create_conversation(org, json!({ "title": "read me" }))
        .await;
    assert_eq!(status, 201, "{body}");
    let conversation = id(&body);
    let (status, body) = app
        .api(token)
        .append_events(org, &conversation, json!([{ "n": 0 }, { "n": 1 }, { "n": 2 }]))
        .await;
    assert_eq!(status, 201, "{body}");
    conversation
}

async fn login_token(app: &TestApp, email: &str) -> String {
    let (status, body) = app.login(email, PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().expect("access token").to_owned()
}

#[tokio::test]
async fn reads_refuse_a_token_once_its_session_user_or_epoch_is_done_with() {
    let app = spawn_app().await;
    let email = "reads.revoked@example.com";
    let first = app.register(email, PASSWORD).await;
    let second = login_token(&app, email).await;
    let org = first.org_id.clone();
    let conversation = conversation_with_events(&app, &first.access_token, &org).await;

    let replies = read_all(&app, &first.access_token, &org, &conversation).await;
    assert_eq!(statuses(&replies), [200, 200, 200], "{replies:?}");
    assert_eq!(replies[0].1["items"][0]["id"], conversation.as_str());
    assert_eq!(replies[1].1["id"], conversation.as_str());
    assert_eq!(replies[2].1["items"].as_array().map(Vec::len), Some(3));

    let logout = app
        .post_json(
            "/api/auth/logout",
            &json!({ "refresh_token": first.refresh_token }),
        )
        .await;
    assert_eq!(logout.status(), 204);
    let after_logout = read_all(&app, &first.access_token, &org, &conversation).await;
    assert_eq!(statuses(&after_logout), [401, 401, 401], "the ended session");
    let (status, body) = app
        .api(&first.access_token)
        .append_events(&org, &conversation, json!([{ "n": 3 }]))
        .await;
    assert_eq!(status, 401, "an append in the ended session: {body}");
    let other = read_all(&app, &second, &org, &conversation).await;
    assert_eq!(statuses(&other), [200, 200, 200], "another session of the user");
    assert_eq!(
        other[2].1["items"].as_array().map(Vec::len),
        Some(3),
        "the refused append added nothing"
    );

    let bumped = app
        .execute_sql(&format!(
            "UPDATE users SET token_epoch = token_epoch + 1 WHERE email = '{email}'"
        ))
        .await;
    assert_eq!(bumped, 1);
    let stale = read_all(&app, &second, &org, &conversation).await;
    assert_eq!(statuses(&stale), [401, 401, 401], "a token of an older epoch");

    let third = login_token(&app, email).await;
    assert_eq!(
        statuses(&read_all(&app, &third, &org, &conversation).await),
        [200, 200, 200]
    );
    let disabled = app
        .execute_sql(&format!(
            "UPDATE users SET disabled_at = '2020-01-01T00:00:00Z' WHERE email = '{email}'"
        ))
        .await;
    assert_eq!(disabled, 1);
    let refused = read_all(&app, &third, &org, &conversation).await;
    assert_eq!(statuses(&refused), [401, 401, 401], "a disabled user");
    assert_eq!(
        refused[0].1["status"], 401,
        "a problem document: {:?}",
        refused[0].1
    );
}

#[tokio::test]
async fn reads_of_a_stranger_or_of_what_does_not_exist_are_not_found() {
    let app = spawn_app().await;
    let owner = app.register("reads.owner@example.com", PASSWORD).await;
    let stranger = app.register("reads.stranger@example.com", PASSWORD).await;
    let org = owner.org_id.clone();
    let conversation = conversation_with_events(&app, &owner.access_token, &org).await;
    let replies = read_all(&app, &stranger.access_token, &org, &conversation).await;
    assert_eq!(statuses(&replies), [404, 404, 404], "{replies:?}");

    let missing = uuid::Uuid::new_v4().to_string();
    let replies = read_all(&app, &owner.access_token, &org, &missing).await;
    assert_eq!(statuses(&replies), [200, 404, 404], "{replies:?}");
    let (status, empty) = app
        .api(&stranger.access_token)
        .conversations(&stranger.org_id, "")
        .await;
    assert_eq!(status, 200);
    assert_eq!(empty["items"], json!([]), "a member's empty org lists nothing");
}

#[tokio::test]
async fn many_reads_at_once_around_a_logout_split_exactly_by_session() {
    let app = spawn_app().await;
    let email = "reads.concurrent@example.com";
    let ending = app.register(email, PASSWORD).await;
    let staying = login_token(&app, email).await;
    let org = ending.org_id.clone();
    let conversation = conversation_with_events(&app, &ending.access_token, &org).await;
    let paths = read_paths(&org, &conversation);

    let burst = |tokens: [String; 2]| {
        let app = &app;
        let paths = &paths;
        async move {
            let reads = (0..96).map(|n| {
                let token = tokens[n % 2].clone();
                let path = paths[n % 3].clone();
                async move { (n % 2, app.api(&token).get(&path).await.0) }
            });
            futures::future::join_all(reads).await
        }
    };
    let before = burst([ending.access_token.clone(), staying.clone()]).await;
    assert!(before.iter().all(|(_, status)| *status == 200), "{before:?}");

    let logout = app
        .post_json(
            "/api/auth/logout",
            &json!({ "refresh_token": ending.refresh_token }),
        )
        .await;
    assert_eq!(logout.status(), 204);
    let after = burst([ending.access_token.clone(), staying.clone()]).await;
    for (which, status) in &after {
        let expected = if *which == 0 { 401 } else { 200 };
        assert_eq!(*status, expected, "token {which}: {after:?}");
    }
}

//! A person's own sessions (listed, ended one by one) and their name.

use serde_json::json;

use super::PASSWORD;
use crate::support::spawn_app;

#[tokio::test]
async fn a_person_sees_their_sessions_and_ends_one_at_its_next_request() {
    let app = spawn_app().await;
    let first = app.register("ines@example.com", PASSWORD).await;
    let (_, second) = app.login("ines@example.com", PASSWORD).await;
    let (_, third) = app.login("ines@example.com", PASSWORD).await;
    let second_access = second["access_token"].as_str().expect("token");
    let third_access = third["access_token"].as_str().expect("token");

    let (status, list) = app.api(third_access).get("/api/auth/sessions").await;
    assert_eq!(status, 200, "{list}");
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|item| item["sign_in_method"] == "password"));
    assert!(items.iter().all(|item| item.get("token").is_none()));
    let current: Vec<_> = items.iter().filter(|item| item["current"] == true).collect();
    assert_eq!(current.len(), 1, "exactly the asking session is marked: {list}");
    let created: Vec<&str> = items
        .iter()
        .map(|item| item["created_at"].as_str().expect("created_at"))
        .collect();
    let mut newest_first = created.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(created, newest_first);

    // The second session, seen from itself, to learn its id; then ended from the third.
    let (_, seen_by_second) = app.api(second_access).get("/api/auth/sessions").await;
    let second_id = seen_by_second["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|item| item["current"] == true)
        .and_then(|item| item["id"].as_str())
        .expect("second session id")
        .to_owned();
    let (status, _) = app
        .call(
            "DELETE",
            third_access,
            &format!("/api/auth/sessions/{second_id}"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(app.api(second_access).me().await.0, 401, "refused at once");
    let refreshed = app
        .post_json(
            "/api/auth/refresh",
            &json!({ "refresh_token": second["refresh_token"] }),
        )
        .await;
    assert_eq!(refreshed.status(), 401, "its refresh token ended with it");
    assert_eq!(app.api(&first.access_token).me().await.0, 200, "the others go on");
    let (_, list) = app.api(third_access).get("/api/auth/sessions").await;
    assert_eq!(list["items"].as_array().expect("items").len(), 2);

    // An ended session, or someone else's, is not there to end.
    let (status, _) = app
        .call(
            "DELETE",
            third_access,
            &format!("/api/auth/sessions/{second_id}"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let other = app.register("jules@example.com", PASSWORD).await;
    let (_, theirs) = app.api(&other.access_token).get("/api/auth/sessions").await;
    let their_id = theirs["items"][0]["id"].as_str().expect("id").to_owned();
    let (status, _) = app
        .call(
            "DELETE",
            third_access,
            &format!("/api/auth/sessions/{their_id}"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(app.api(&other.access_token).me().await.0, 200);

    // Sessions are the person's own business: an API key neither lists nor ends them.
    let (_, key) = app
        .api(&first.access_token)
        .create_api_key(&first.org_id, json!({ "name": "ci" }))
        .await;
    let key = key["key"].as_str().expect("key");
    assert_eq!(app.api(key).get("/api/auth/sessions").await.0, 403);
}

#[tokio::test]
async fn a_person_renames_themself_and_members_see_the_new_name() {
    let app = spawn_app().await;
    let person = app.register("kai@example.com", PASSWORD).await;
    let (status, me) = app
        .call(
            "PATCH",
            &person.access_token,
            "/api/auth/me",
            Some(json!({ "name": "  Kai Moreno " })),
        )
        .await;
    assert_eq!((status, me["name"].as_str()), (200, Some("Kai Moreno")), "{me}");
    assert_eq!(app.api(&person.access_token).me().await.1["name"], "Kai Moreno");
    let (_, members) = app.api(&person.access_token).members(&person.org_id).await;
    assert_eq!(members["items"][0]["name"], "Kai Moreno");
    let (_, log) = app.api(&person.access_token).audit_log(&person.org_id).await;
    let renamed = &log["items"][0];
    assert_eq!(renamed["action"], "user.renamed", "{log}");
    assert_eq!(
        (
            renamed["detail"]["from"].as_str(),
            renamed["detail"]["to"].as_str()
        ),
        (Some("kai"), Some("Kai Moreno"))
    );

    for (name, why) in [("   ", "blank"), ("Kai\u{7}", "a control character")] {
        let (status, problem) = app
            .call(
                "PATCH",
                &person.access_token,
                "/api/auth/me",
                Some(json!({ "name": name })),
            )
            .await;
        assert_eq!(status, 422, "{why}: {problem}");
        assert_eq!(problem["errors"][0]["field"], "name", "{problem}");
    }
    assert_eq!(app.api(&person.access_token).me().await.1["name"], "Kai Moreno");
}

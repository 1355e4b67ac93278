//! Visibility and role rules.

use serde_json::json;

use super::{create_conversation, developers_private_conversation};
use crate::{support::Cast, support::spawn_app};

#[tokio::test]
async fn private_conversations_are_for_their_creator_and_admins_only() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "private", "Private Co").await;
    let id = developers_private_conversation(&app, &cast).await;

    for (who, token, expected) in [
        ("creator", &cast.developer.access_token, 200),
        ("admin", &cast.admin.access_token, 200),
        ("owner", &cast.owner.access_token, 200),
        ("viewer", &cast.viewer.access_token, 404),
        ("non-member", &cast.outsider.access_token, 404),
    ] {
        let (status, _) = app.api(token).conversation(&cast.org, &id).await;
        assert_eq!(status, expected, "{who} reading a private conversation");
    }
    // Another org's id space: the same conversation id under another org is not found.
    let (status, _) = app
        .api(&cast.developer.access_token)
        .conversation(&cast.developer.org_id, &id)
        .await;
    assert_eq!(status, 404);

    let (_, listed) = app
        .api(&cast.viewer.access_token)
        .conversations(&cast.org, "")
        .await;
    assert!(
        listed["items"].as_array().expect("items").is_empty(),
        "not listed for the viewer either"
    );
    let (_, listed) = app
        .api(&cast.admin.access_token)
        .conversations(&cast.org, "")
        .await;
    assert_eq!(listed["items"].as_array().expect("items").len(), 1);
    let (status, _) = app
        .api(&cast.outsider.access_token)
        .conversations(&cast.org, "")
        .await;
    assert_eq!(status, 404, "a stranger gets no page, not even an empty one");
    let (status, _) = app
        .api(&cast.viewer.access_token)
        .events(&cast.org, &id, "")
        .await;
    assert_eq!(status, 404, "nor its events");
}

#[tokio::test]
async fn org_conversations_are_read_by_all_and_changed_by_creator_and_admins() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "shared", "Shared Co").await;
    let conversations = format!("/api/orgs/{}/conversations", cast.org);

    let (status, body) = app
        .api(&cast.viewer.access_token)
        .create_conversation(&cast.org, json!({ "title": "nope" }))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("forbidden")),
        "viewers cannot create"
    );
    let (status, _) = app
        .api(&cast.outsider.access_token)
        .create_conversation(&cast.org, json!({ "title": "nope" }))
        .await;
    assert_eq!(status, 404);

    let id = create_conversation(
        &app,
        &cast.developer.access_token,
        &cast.org,
        json!({ "title": "shared work", "visibility": "org", "selected_repository": "acme/api", "llm_model": "m" }),
    )
    .await;
    let path = format!("{conversations}/{id}");
    let (status, conversation) = app
        .api(&cast.viewer.access_token)
        .conversation(&cast.org, &id)
        .await;
    assert_eq!(status, 200);
    for field in [
        "id",
        "org_id",
        "created_by",
        "title",
        "selected_repository",
        "selected_branch",
        "git_provider",
        "trigger",
        "llm_model",
        "visibility",
        "pr_number",
        "accumulated_cost",
        "prompt_tokens",
        "completion_tokens",
        "total_tokens",
        "event_count",
        "created_at",
        "last_updated_at",
    ] {
        assert!(conversation.get(field).is_some(), "conversation has {field}");
    }
    assert_eq!(conversation["pr_number"], json!([]));
    assert_eq!(conversation["created_by"], cast.developer.user_id.as_str());

    let rename = Some(json!({ "title": "renamed" }));
    let (status, _) = app
        .call("PATCH", &cast.viewer.access_token, &path, rename.clone())
        .await;
    assert_eq!(status, 403, "readers who are not the creator cannot change it");
    let (status, _) = app
        .call(
            "POST",
            &cast.viewer.access_token,
            &format!("{path}/events"),
            Some(json!({ "kind": "x" })),
        )
        .await;
    assert_eq!(status, 403);
    let (status, changed) = app
        .api(&cast.admin.access_token)
        .update_conversation(
            &cast.org,
            &id,
            json!({ "title": "by admin", "pr_number": [7, 9] }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(changed["title"], "by admin");
    assert_eq!(changed["pr_number"], json!([7, 9]));
    let (status, changed) = app
        .api(&cast.developer.access_token)
        .update_conversation(&cast.org, &id, json!({ "visibility": "private" }))
        .await;
    assert_eq!((status, changed["visibility"].as_str()), (200, Some("private")));
    let (status, _) = app
        .api(&cast.viewer.access_token)
        .conversation(&cast.org, &id)
        .await;
    assert_eq!(status, 404, "private again");

    let (status, _) = app
        .api(&cast.viewer.access_token)
        .delete_conversation(&cast.org, &id)
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .api(&cast.developer.access_token)
        .delete_conversation(&cast.org, &id)
        .await;
    assert_eq!(status, 204);
    let (status, _) = app
        .api(&cast.developer.access_token)
        .conversation(&cast.org, &id)
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn invalid_conversation_input_is_422() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "invalid", "Invalid Co").await;
    for body in [
        json!({ "visibility": "public" }),
        json!({ "title": "x".repeat(501) }),
        json!({ "title": 5 }),
    ] {
        let (status, problem) = app
            .api(&cast.developer.access_token)
            .create_conversation(&cast.org, body.clone())
            .await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some("validation_failed")),
            "{body}"
        );
    }
}

//! Stream tickets for `EventSource`, read-only share links, and handing a leaver's work on.

use std::time::Duration;

use serde_json::json;

use super::create_conversation;
use crate::support::{Cast, SseStream, spawn_app_with};

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn a_ticket_opens_one_stream_once_for_its_conversation_only() {
    let app = spawn_app_with(|config| config.streams.heartbeat_secs = 1).await;
    let cast = Cast::assemble(&app, "tickets", "Tickets Co").await;
    let dev = &cast.developer.access_token;
    let id = create_conversation(&app, dev, &cast.org, json!({})).await;
    let other = create_conversation(&app, dev, &cast.org, json!({})).await;
    let (status, issued) = app.api(dev).stream_ticket(&cast.org, &id).await;
    assert_eq!(status, 201, "{issued}");
    let ticket = issued["ticket"].as_str().expect("ticket").to_owned();
    let open = |conversation: &str, ticket: &str| {
        let path = format!(
            "/api/orgs/{}/conversations/{conversation}/events/stream?ticket={ticket}",
            cast.org
        );
        let app = &app;
        async move { app.get(&path).await }
    };

    assert_eq!(
        open(&other, &ticket).await.status(),
        401,
        "bound to its conversation"
    );
    let (status, issued) = app.api(dev).stream_ticket(&cast.org, &id).await;
    assert_eq!(status, 201);
    let ticket = issued["ticket"].as_str().expect("ticket").to_owned();
    let mut stream = SseStream::new(open(&id, &ticket).await);
    assert_eq!(open(&id, &ticket).await.status(), 401, "single use");
    let (status, _) = app
        .api(dev)
        .append_events(&cast.org, &id, json!({ "kind": "x" }))
        .await;
    assert_eq!(status, 201);
    assert_eq!(stream.next(WAIT).await.and_then(|event| event.id), Some(0));

    // The stream lives as long as the session that asked for the ticket.
    let (status, _) = app.api(dev).logout_all().await;
    assert_eq!(status, 204);
    assert_eq!(
        stream.next(WAIT).await.map(|event| event.event).as_deref(),
        Some("end")
    );

    // Outsiders get none; API keys get none; unknown tickets open nothing.
    let (status, _) = app
        .api(&cast.outsider.access_token)
        .stream_ticket(&cast.org, &id)
        .await;
    assert_eq!(status, 404);
    let (_, key) = app
        .api(&cast.admin.access_token)
        .create_api_key(&cast.org, json!({ "name": "no tickets" }))
        .await;
    let (status, _) = app
        .api(key["key"].as_str().expect("key"))
        .stream_ticket(&cast.org, &id)
        .await;
    assert_eq!(status, 403);
    assert_eq!(open(&id, "not-a-ticket").await.status(), 401);
}

#[tokio::test]
async fn an_expired_ticket_opens_nothing() {
    let app = spawn_app_with(|_| {}).await;
    let cast = Cast::assemble(&app, "stale", "Stale Co").await;
    let dev = &cast.developer.access_token;
    let id = create_conversation(&app, dev, &cast.org, json!({})).await;
    let (_, issued) = app.api(dev).stream_ticket(&cast.org, &id).await;
    app.execute_sql("UPDATE stream_tickets SET expires_at = '2020-01-01T00:00:00Z'")
        .await;
    let response = app
        .get(&format!(
            "/api/orgs/{}/conversations/{id}/events/stream?ticket={}",
            cast.org,
            issued["ticket"].as_str().expect("ticket")
        ))
        .await;
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn a_share_link_reads_without_login_shows_no_internals_and_stops_when_revoked() {
    let app = spawn_app_with(|config| config.streams.heartbeat_secs = 1).await;
    let cast = Cast::assemble(&app, "shares", "Shares Co").await;
    let dev = &cast.developer.access_token;
    let id = create_conversation(
        &app,
        dev,
        &cast.org,
        json!({ "title": "Fix the login", "selected_repository": "acme/api", "visibility": "org" }),
    )
    .await;
    let (status, _) = app
        .api(dev)
        .append_events(&cast.org, &id, json!([{ "kind": "a" }, { "kind": "b" }]))
        .await;
    assert_eq!(status, 201);
    let (status, _) = app
        .api(dev)
        .add_usage(
            &cast.org,
            &id,
            json!({ "prompt_tokens": 10, "completion_tokens": 5, "cost": 1.25 }),
        )
        .await;
    assert_eq!(status, 200);

    let (status, _) = app
        .api(&cast.viewer.access_token)
        .share(&cast.org, &id, json!({}))
        .await;
    assert_eq!(status, 403, "viewers do not share others' conversations");
    let (status, share) = app.api(dev).share(&cast.org, &id, json!({})).await;
    assert_eq!(status, 201, "{share}");
    let token = share["token"].as_str().expect("token").to_owned();
    assert!(
        share["url"]
            .as_str()
            .expect("url")
            .ends_with(&format!("/api/shared/{token}"))
    );

    let (status, shown) = app.anonymous(&format!("/api/shared/{token}")).await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["title"], "Fix the login");
    assert_eq!(shown["repository"], "acme/api");
    assert_eq!(shown["event_count"], 2);
    let text = shown.to_string();
    for internal in [
        cast.org.as_str(),
        &cast.developer.user_id,
        "developer.shares@example.com",
        "1.25",
        "cost",
    ] {
        assert!(!text.contains(internal), "a share link shows {internal}: {text}");
    }
    let (status, page) = app
        .anonymous(&format!("/api/shared/{token}/events?start_id=1"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["items"][0]["id"], 1);
    assert_eq!(page["items"][0]["event"]["kind"], "b");

    // No writes through a share token.
    let (status, _) = app
        .api(&token)
        .append_events(&cast.org, &id, json!({ "kind": "x" }))
        .await;
    assert_eq!(status, 401);

    let mut stream = SseStream::new(
        app.get(&format!("/api/shared/{token}/events/stream?start_id=2"))
            .await,
    );
    let (status, _) = app
        .api(dev)
        .append_events(&cast.org, &id, json!({ "kind": "c" }))
        .await;
    assert_eq!(status, 201);
    assert_eq!(stream.next(WAIT).await.and_then(|event| event.id), Some(2));

    let (_, listed) = app.api(dev).shares(&cast.org, &id).await;
    assert_eq!(listed["items"].as_array().expect("items").len(), 1);
    assert!(listed["items"][0].get("token").is_none(), "tokens are shown once");
    let (status, _) = app
        .api(&cast.admin.access_token)
        .revoke_share(&cast.org, &id, share["id"].as_str().expect("id"))
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        stream.next(WAIT).await.map(|event| event.event).as_deref(),
        Some("end")
    );
    let (status, _) = app.anonymous(&format!("/api/shared/{token}")).await;
    assert_eq!(status, 404);
    let (_, log) = app.api(&cast.owner.access_token).audit_log(&cast.org).await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|entry| entry["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"conversation.shared") && actions.contains(&"share.revoked"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn an_expired_share_link_is_gone() {
    let app = spawn_app_with(|_| {}).await;
    let cast = Cast::assemble(&app, "expiry", "Expiry Co").await;
    let dev = &cast.developer.access_token;
    let id = create_conversation(&app, dev, &cast.org, json!({})).await;
    let (status, _) = app
        .api(dev)
        .share(&cast.org, &id, json!({ "expires_at": "2020-01-01T00:00:00Z" }))
        .await;
    assert_eq!(status, 422, "a link cannot expire in the past");
    let (_, share) = app
        .api(dev)
        .share(&cast.org, &id, json!({ "expires_at": "2999-01-01T00:00:00Z" }))
        .await;
    let token = share["token"].as_str().expect("token");
    assert_eq!(app.anonymous(&format!("/api/shared/{token}")).await.0, 200);
    app.execute_sql("UPDATE conversation_shares SET expires_at = '2020-01-01T00:00:00Z'")
        .await;
    let (status, problem) = app.anonymous(&format!("/api/shared/{token}/events")).await;
    assert_eq!(status, 410, "{problem}");
    assert_eq!(problem["code"], "share_expired");
}

#[tokio::test]
async fn a_leavers_private_conversation_is_handed_on_by_an_admin() {
    let app = spawn_app_with(|_| {}).await;
    let cast = Cast::assemble(&app, "leaver", "Leaver Co").await;
    let dev = &cast.developer.access_token;
    let id = create_conversation(&app, dev, &cast.org, json!({ "title": "private work" })).await;
    let (status, _) = app
        .api(&cast.owner.access_token)
        .remove_member(&cast.org, &cast.developer.user_id)
        .await;
    assert_eq!(status, 204);
    let (status, _) = app.api(dev).conversation(&cast.org, &id).await;
    assert_eq!(status, 404, "the leaver reads nothing of the org");

    let to_viewer = json!({ "user_id": cast.viewer.user_id });
    let (status, _) = app
        .api(&cast.viewer.access_token)
        .reassign(&cast.org, &id, to_viewer.clone())
        .await;
    assert_eq!(status, 403, "only admins hand conversations on");
    let (status, _) = app
        .api(&cast.admin.access_token)
        .reassign(&cast.org, &id, json!({ "user_id": cast.developer.user_id }))
        .await;
    assert_eq!(status, 422, "only to a current member");
    let (status, conversation) = app
        .api(&cast.admin.access_token)
        .reassign(&cast.org, &id, to_viewer)
        .await;
    assert_eq!(status, 200, "{conversation}");
    assert_eq!(conversation["created_by"], cast.viewer.user_id.as_str());
    let (status, _) = app
        .api(&cast.viewer.access_token)
        .conversation(&cast.org, &id)
        .await;
    assert_eq!(status, 200, "the new creator reads their private conversation");
    let (_, log) = app.api(&cast.owner.access_token).audit_log(&cast.org).await;
    assert_eq!(log["items"][0]["action"], "conversation.reassigned");
}

#[tokio::test]
async fn anonymous_streams_of_a_shared_conversation_are_bounded() {
    let app = spawn_app_with(|config| {
        config.streams.max_per_shared_conversation = 2;
        config.streams.heartbeat_secs = 1;
    })
    .await;
    let cast = Cast::assemble(&app, "leaky", "Leaky Co").await;
    let dev = &cast.developer.access_token;
    let id = create_conversation(&app, dev, &cast.org, json!({ "visibility": "org" })).await;
    let mut tokens = Vec::new();
    for _ in 0..2 {
        let (status, share) = app.api(dev).share(&cast.org, &id, json!({})).await;
        assert_eq!(status, 201, "{share}");
        tokens.push(share["token"].as_str().expect("token").to_owned());
    }
    let paths: Vec<String> = tokens
        .iter()
        .map(|token| format!("/api/shared/{token}/events/stream"))
        .collect();
    let first = app.get(&paths[0]).await;
    let second = app.get(&paths[1]).await;
    assert_eq!((first.status().as_u16(), second.status().as_u16()), (200, 200));
    let third = app.get(&paths[0]).await;
    assert_eq!(
        third.status(),
        429,
        "another link to the same conversation shares the bound"
    );
    assert!(third.headers().contains_key("retry-after"));
    let own = app.api(dev).open_stream(&cast.org, &id, "", None).await;
    assert_eq!(own.status(), 200, "members' own streams are counted apart");
}

//! `GET …/events/stream`: replay then live, in order and without gaps, across instances; resumable;
//! ended when the reader loses access or the conversation goes; bounded per user.

use std::time::Duration;

use futures::future::join_all;
use serde_json::json;

use super::create_conversation;
use crate::support::{Cast, SseEvent, SseStream, TestApp, spawn_app_with};

const WAIT: Duration = Duration::from_secs(20);

fn ids(events: &[SseEvent]) -> Vec<i64> {
    events.iter().map(|event| event.id.expect("an id")).collect()
}

async fn append(app: &TestApp, token: &str, org: &str, id: &str, count: usize) {
    let events: Vec<_> = (0..count).map(|n| json!({ "kind": "message", "n": n })).collect();
    let (status, body) = app.api(token).append_events(org, id, json!(events)).await;
    assert_eq!(status, 201, "{body}");
}

/// An app whose streams look again every second (so a missed signal costs at most a second).
async fn app() -> TestApp {
    spawn_app_with(|config| config.streams.heartbeat_secs = 1).await
}

#[tokio::test]
async fn a_stream_replays_then_follows_and_resumes_after_the_last_event_id() {
    let app = app().await;
    let cast = Cast::assemble(&app, "follow", "Follow Co").await;
    let token = &cast.developer.access_token;
    let id = create_conversation(&app, token, &cast.org, json!({ "visibility": "org" })).await;
    append(&app, token, &cast.org, &id, 3).await;

    let mut stream = SseStream::new(
        app.api(token)
            .open_stream(&cast.org, &id, "start_id=0", None)
            .await,
    );
    let replayed = stream.take(3, WAIT).await;
    assert_eq!(ids(&replayed), [0, 1, 2]);
    assert_eq!(replayed[1].data["event"]["n"], 1);
    assert_eq!(replayed[1].data["id"], 1);
    assert!(replayed[1].data["timestamp"].is_string());

    append(&app, token, &cast.org, &id, 2).await;
    assert_eq!(ids(&stream.take(2, WAIT).await), [3, 4]);

    // A dropped connection resumes after the last event it saw, without repeats.
    drop(stream);
    let mut resumed = SseStream::new(app.api(token).open_stream(&cast.org, &id, "", Some(3)).await);
    assert_eq!(ids(&resumed.take(1, WAIT).await), [4]);
    append(&app, token, &cast.org, &id, 1).await;
    assert_eq!(ids(&resumed.take(1, WAIT).await), [5]);
}

#[tokio::test]
async fn concurrent_appends_reach_readers_on_two_instances_in_order_without_gaps() {
    let a = app().await;
    let b = a.start_sibling(|config| config.streams.heartbeat_secs = 1).await;
    let cast = Cast::assemble(&a, "fanout", "Fanout Co").await;
    let token = &cast.developer.access_token;
    let id = create_conversation(&a, token, &cast.org, json!({})).await;
    let mut readers = Vec::new();
    for instance in [&a, &b, &b] {
        readers.push(SseStream::new(
            instance
                .api(token)
                .open_stream(&cast.org, &id, "start_id=0", None)
                .await,
        ));
    }

    let appenders = (0..8).map(|task| {
        let instance = if task % 2 == 0 { &a } else { &b };
        let (org, id) = (&cast.org, &id);
        async move {
            for _ in 0..5 {
                append(instance, token, org, id, 2).await;
            }
        }
    });
    join_all(appenders).await;

    for mut reader in readers {
        assert_eq!(ids(&reader.take(80, WAIT).await), (0..80).collect::<Vec<_>>());
    }
}

#[tokio::test]
async fn a_reader_who_loses_access_or_the_conversation_gets_an_end() {
    let app = app().await;
    let cast = Cast::assemble(&app, "revoked", "Revoked Co").await;
    let dev = &cast.developer.access_token;
    let id = create_conversation(&app, dev, &cast.org, json!({ "visibility": "org" })).await;

    // A viewer removed from the org.
    let mut viewer = SseStream::new(
        app.api(&cast.viewer.access_token)
            .open_stream(&cast.org, &id, "", None)
            .await,
    );
    let (status, _) = app
        .api(&cast.owner.access_token)
        .remove_member(&cast.org, &cast.viewer.user_id)
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        viewer.next(WAIT).await.map(|event| event.event).as_deref(),
        Some("end")
    );

    // An admin demoted below a private conversation they were reading.
    let private = create_conversation(&app, dev, &cast.org, json!({ "title": "private" })).await;
    let mut admin_reader = SseStream::new(
        app.api(&cast.admin.access_token)
            .open_stream(&cast.org, &private, "", None)
            .await,
    );
    let (status, _) = app
        .api(&cast.owner.access_token)
        .change_role(&cast.org, &cast.admin.user_id, json!({ "role": "viewer" }))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        admin_reader.next(WAIT).await.map(|event| event.event).as_deref(),
        Some("end")
    );
    let (status, _) = app
        .api(&cast.owner.access_token)
        .change_role(&cast.org, &cast.admin.user_id, json!({ "role": "admin" }))
        .await;
    assert_eq!(status, 200);

    // An API key revoked mid-stream.
    let (status, key) = app
        .api(&cast.admin.access_token)
        .create_api_key(&cast.org, json!({ "name": "follower" }))
        .await;
    assert_eq!(status, 201, "{key}");
    let plain = key["key"].as_str().expect("key");
    let mut through_key = SseStream::new(app.api(plain).open_stream(&cast.org, &id, "", None).await);
    append(&app, dev, &cast.org, &id, 1).await;
    assert_eq!(ids(&through_key.take(1, WAIT).await), [0]);
    let (status, _) = app
        .api(&cast.admin.access_token)
        .revoke_api_key(&cast.org, key["id"].as_str().expect("id"))
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        through_key.next(WAIT).await.map(|event| event.event).as_deref(),
        Some("end")
    );

    // The conversation deleted.
    let mut admin = SseStream::new(
        app.api(&cast.admin.access_token)
            .open_stream(&cast.org, &id, "start_id=1", None)
            .await,
    );
    let (status, _) = app.api(dev).delete_conversation(&cast.org, &id).await;
    assert_eq!(status, 204);
    assert_eq!(
        admin.next(WAIT).await.map(|event| event.event).as_deref(),
        Some("end")
    );
}

#[tokio::test]
async fn streams_are_refused_to_outsiders_bad_resumes_and_beyond_the_per_user_bound() {
    let app = spawn_app_with(|config| {
        config.streams.max_per_user = 2;
        config.streams.heartbeat_secs = 1;
    })
    .await;
    let cast = Cast::assemble(&app, "bounded", "Bounded Co").await;
    let dev = &cast.developer.access_token;
    let id = create_conversation(&app, dev, &cast.org, json!({})).await;

    let outsider = app
        .api(&cast.outsider.access_token)
        .open_stream(&cast.org, &id, "", None)
        .await;
    assert_eq!(outsider.status(), 404);
    let anonymous = app.api("").open_stream(&cast.org, &id, "", None).await;
    assert_eq!(anonymous.status(), 401);
    let bad_resume = app.api(dev).open_stream(&cast.org, &id, "", Some(-4)).await;
    assert_eq!(bad_resume.status(), 422);

    let first = app.api(dev).open_stream(&cast.org, &id, "", None).await;
    let second = app.api(dev).open_stream(&cast.org, &id, "", None).await;
    assert_eq!((first.status().as_u16(), second.status().as_u16()), (200, 200));
    let third = app.api(dev).open_stream(&cast.org, &id, "", None).await;
    assert_eq!(third.status(), 429);
    assert!(third.headers().contains_key("retry-after"));
    drop(first);
    // The slot comes back once the server notices the closed connection.
    let mut reopened = 0;
    for _ in 0..50 {
        let again = app.api(dev).open_stream(&cast.org, &id, "", None).await;
        if again.status() == 200 {
            reopened += 1;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(reopened, 1, "a closed stream gave its slot back");
}

#[tokio::test]
async fn appends_are_pushed_at_once_not_found_at_the_next_heartbeat() {
    let a = spawn_app_with(|config| config.streams.heartbeat_secs = 120).await;
    let b = a
        .start_sibling(|config| config.streams.heartbeat_secs = 120)
        .await;
    let cast = Cast::assemble(&a, "pushed", "Pushed Co").await;
    let token = &cast.developer.access_token;
    let id = create_conversation(&a, token, &cast.org, json!({})).await;
    let mut here = SseStream::new(a.api(token).open_stream(&cast.org, &id, "", None).await);
    let mut there = SseStream::new(b.api(token).open_stream(&cast.org, &id, "", None).await);
    // Both streams are subscribed once their first heartbeat-free wait begins.
    tokio::time::sleep(Duration::from_millis(300)).await;

    append(&a, token, &cast.org, &id, 1).await;
    let soon = Duration::from_secs(5);
    assert_eq!(ids(&here.take(1, soon).await), [0], "same instance");
    if a.database.is_postgres() {
        // LISTEN/NOTIFY carries the signal to the other instance.
        assert_eq!(ids(&there.take(1, soon).await), [0], "other instance");
    } else {
        // SQLite serves one instance: signals stay in the process.
        eprintln!("SQLite: cross-instance push is PostgreSQL's; the sibling catches up at its heartbeat");
    }
}

#[tokio::test]
async fn the_org_stream_shows_changes_to_what_the_reader_may_read() {
    let app = app().await;
    let cast = Cast::assemble(&app, "activity", "Activity Co").await;
    let dev = &cast.developer.access_token;
    let mut viewer = SseStream::new(
        app.api(&cast.viewer.access_token)
            .open_org_stream(&cast.org)
            .await,
    );
    let mut admin = SseStream::new(app.api(&cast.admin.access_token).open_org_stream(&cast.org).await);

    let private = create_conversation(&app, dev, &cast.org, json!({ "title": "private" })).await;
    let shared = create_conversation(
        &app,
        dev,
        &cast.org,
        json!({ "title": "shared", "visibility": "org" }),
    )
    .await;
    let created = admin.take(2, WAIT).await;
    assert_eq!(
        created
            .iter()
            .map(|event| (
                event.event.as_str(),
                event.data["id"].as_str().unwrap_or_default()
            ))
            .collect::<Vec<_>>(),
        [
            ("conversation", private.as_str()),
            ("conversation", shared.as_str())
        ]
    );
    let seen = viewer.next(WAIT).await.expect("an event");
    assert_eq!(
        (seen.event.as_str(), seen.data["id"].as_str()),
        ("conversation", Some(shared.as_str())),
        "viewers see only what they may read"
    );

    let (status, _) = app
        .api(dev)
        .add_usage(
            &cast.org,
            &shared,
            json!({ "prompt_tokens": 7, "completion_tokens": 3, "cost": 0.5 }),
        )
        .await;
    assert_eq!(status, 200);
    let usage = viewer.next(WAIT).await.expect("an event");
    assert_eq!(usage.data["total_tokens"], 10);

    let (status, _) = app.api(dev).delete_conversation(&cast.org, &shared).await;
    assert_eq!(status, 204);
    let deleted = viewer.next(WAIT).await.expect("an event");
    assert_eq!(
        (deleted.event.as_str(), deleted.data["id"].as_str()),
        ("deleted", Some(shared.as_str()))
    );

    let (status, _) = app
        .api(&cast.owner.access_token)
        .remove_member(&cast.org, &cast.viewer.user_id)
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        viewer.next(WAIT).await.map(|event| event.event).as_deref(),
        Some("end")
    );
}

#[tokio::test]
async fn a_stalled_reader_catches_up_from_storage_in_order() {
    // A tiny signal buffer: the stalled reader falls far behind and is told to resync.
    let app = spawn_app_with(|config| {
        config.streams.signal_buffer = 4;
        config.streams.heartbeat_secs = 1;
    })
    .await;
    let cast = Cast::assemble(&app, "stalled", "Stalled Co").await;
    let dev = &cast.developer.access_token;
    let id = create_conversation(&app, dev, &cast.org, json!({})).await;
    let mut stalled = SseStream::new(app.api(dev).open_stream(&cast.org, &id, "", None).await);
    for _ in 0..60 {
        append(&app, dev, &cast.org, &id, 5).await;
    }
    assert_eq!(ids(&stalled.take(300, WAIT).await), (0..300).collect::<Vec<_>>());
}

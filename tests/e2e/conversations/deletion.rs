//! Deleting a conversation or its org removes its event objects.

use std::time::Duration;

use serde_json::json;

use super::create_conversation;
use crate::{
    support::Cast,
    support::{TestApp, spawn_app, spawn_app_with},
};

async fn conversation_with_events(app: &TestApp, token: &str, org: &str) -> String {
    let id = create_conversation(app, token, org, json!({})).await;
    for n in 0..3 {
        let (status, _) = app.api(token).append_events(&org, &id, json!({ "n": n })).await;
        assert_eq!(status, 201);
    }
    id
}

#[tokio::test]
async fn deleting_a_conversation_removes_its_objects_and_only_those() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "delconv", "Del Conv Co").await;
    let token = &cast.developer.access_token;
    let doomed = conversation_with_events(&app, token, &cast.org).await;
    let kept = conversation_with_events(&app, token, &cast.org).await;
    let prefix = |id: &str| format!("orgs/{}/conversations/{id}", cast.org);
    assert_eq!(app.objects_under(&prefix(&doomed)).await, 3);

    let (status, _) = app.api(token).delete_conversation(&cast.org, &doomed).await;
    assert_eq!(status, 204);
    assert_eq!(app.objects_under(&prefix(&doomed)).await, 0);
    assert_eq!(app.objects_under(&prefix(&kept)).await, 3);
}

#[tokio::test]
async fn deleting_an_org_removes_the_objects_of_all_its_conversations() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "delorg", "Del Org Co").await;
    conversation_with_events(&app, &cast.developer.access_token, &cast.org).await;
    conversation_with_events(&app, &cast.admin.access_token, &cast.org).await;
    let prefix = format!("orgs/{}", cast.org);
    assert_eq!(app.objects_under(&prefix).await, 6);
    let (status, _) = app.api(&cast.owner.access_token).delete_org(&cast.org).await;
    assert_eq!(status, 204);
    assert_eq!(app.objects_under(&prefix).await, 0);
}

#[tokio::test]
async fn objects_left_behind_by_a_store_outage_are_purged_later() {
    let app = spawn_app_with(|config| {
        config.storage.url = None;
        config.storage.purge_interval_secs = 1;
    })
    .await;
    let cast = Cast::assemble(&app, "lagging", "Lagging Co").await;
    let token = &cast.developer.access_token;
    let id = conversation_with_events(&app, token, &cast.org).await;
    assert_eq!(
        app.objects_under(&format!("orgs/{}/conversations/{id}", cast.org))
            .await,
        3
    );

    // Take the store away: the store root becomes a file, so listing and deleting fail.
    let objects = app.data_dir.join("objects");
    let parked = app.data_dir.join("objects-parked");
    std::fs::rename(&objects, &parked).expect("park");
    std::fs::write(&objects, b"blocked").expect("block");
    let (status, _) = app.api(token).delete_conversation(&cast.org, &id).await;
    assert_eq!(status, 204, "the metadata goes at once");
    let (status, _) = app.api(token).conversation(&cast.org, &id).await;
    assert_eq!(status, 404);

    tokio::time::sleep(Duration::from_millis(1500)).await;
    std::fs::remove_file(&objects).expect("unblock");
    std::fs::rename(&parked, &objects).expect("restore the objects");
    let mut waited = Duration::ZERO;
    while app
        .objects_under(&format!("orgs/{}/conversations/{id}", cast.org))
        .await
        > 0
    {
        assert!(
            waited < Duration::from_secs(10),
            "the background purge removed the objects"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        waited += Duration::from_millis(200);
    }
}

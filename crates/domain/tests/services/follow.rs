//! Following a conversation: replay, then live appends; the end when access goes.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::json;
use tenantry_domain::{
    Caller, DomainError, Role,
    services::conversations::{CallerCheck, FollowStep},
};

use crate::world::World;

/// The caller as it was when the stream opened (credentials never change in these tests).
struct Fixed(Caller);

#[async_trait]
impl CallerCheck for Fixed {
    async fn current(&self) -> Result<Caller, DomainError> {
        Ok(self.0.clone())
    }
}

fn ids(step: FollowStep) -> Vec<i64> {
    match step {
        FollowStep::Events(events) => events.iter().map(|event| event.id).collect(),
        FollowStep::End => panic!("the stream ended"),
    }
}

#[tokio::test]
async fn a_follower_replays_then_wakes_for_appends_and_ends_when_its_reader_is_removed() {
    let world = World::new();
    let (owner, viewer) = (world.person("owner").await, world.person("viewer").await);
    let org = world.org_with(&owner, "acme", &[(&viewer, Role::Viewer)]).await;
    let conversation = world
        .conversations
        .create(
            &owner.caller,
            org,
            tenantry_domain::services::conversations::NewConversationInput {
                visibility: Some(tenantry_domain::Visibility::Org),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let append = |n: usize| {
        let events = (0..n).map(|i| json!({ "i": i })).collect();
        world
            .conversations
            .append_events(&owner.caller, org, conversation.id, events)
    };
    append(2).await.unwrap();
    let mut follower = world
        .conversations
        .follow(Box::new(Fixed(viewer.caller.clone())), org, conversation.id, 0)
        .await
        .unwrap();
    assert_eq!(ids(follower.next().await.unwrap()), [0, 1]);

    // Waiting: nothing until the next append, which wakes it.
    let waiting = tokio::time::timeout(Duration::from_millis(50), follower.next()).await;
    assert!(waiting.is_err(), "a follower with nothing new waits");
    let (appended, step) = tokio::join!(append(3), follower.next());
    appended.unwrap();
    assert_eq!(ids(step.unwrap()), [2, 3, 4]);

    world
        .orgs
        .remove_member(&owner.caller, org, viewer.user.id)
        .await
        .unwrap();
    assert_eq!(follower.next().await.unwrap(), FollowStep::End);
}

#[tokio::test]
async fn an_outsider_cannot_follow() {
    let world = World::new();
    let (dev, outsider) = (world.person("dev").await, world.person("outsider").await);
    let conversation = world.conversation_of(&dev).await;
    let refused = world
        .conversations
        .follow(
            Box::new(Fixed(outsider.caller.clone())),
            dev.personal_org,
            conversation.id,
            0,
        )
        .await;
    assert!(matches!(refused, Err(DomainError::NotFound)));
}

#[tokio::test]
async fn an_org_watcher_sees_only_readable_changes_and_ends_when_its_reader_leaves() {
    use tenantry_domain::services::conversations::OrgActivity;

    let world = World::new();
    let (owner, viewer) = (world.person("owner").await, world.person("viewer").await);
    let org = world.org_with(&owner, "acme", &[(&viewer, Role::Viewer)]).await;
    let mut watcher = world
        .conversations
        .watch_org(Box::new(Fixed(viewer.caller.clone())), org)
        .await
        .unwrap();
    let input = |visibility| tenantry_domain::services::conversations::NewConversationInput {
        visibility: Some(visibility),
        ..Default::default()
    };
    world
        .conversations
        .create(&owner.caller, org, input(tenantry_domain::Visibility::Private))
        .await
        .unwrap();
    let shared = world
        .conversations
        .create(&owner.caller, org, input(tenantry_domain::Visibility::Org))
        .await
        .unwrap();
    match watcher.next().await.unwrap() {
        OrgActivity::Changed(conversation) => {
            assert_eq!(conversation.id, shared.id, "the private one is skipped")
        }
        other => panic!("expected a change, got {other:?}"),
    }
    world
        .orgs
        .remove_member(&owner.caller, org, viewer.user.id)
        .await
        .unwrap();
    assert_eq!(watcher.next().await.unwrap(), OrgActivity::End);
}

#[tokio::test]
async fn a_backlog_longer_than_a_page_is_read_without_waiting_for_signals() {
    let world = World::new();
    let dev = world.person("dev").await;
    let conversation = world.conversation_of(&dev).await;
    for _ in 0..2 {
        let events = (0..600).map(|i| json!({ "i": i })).collect();
        world
            .conversations
            .append_events(&dev.caller, dev.personal_org, conversation.id, events)
            .await
            .unwrap();
    }
    let mut follower = world
        .conversations
        .follow(
            Box::new(Fixed(dev.caller.clone())),
            dev.personal_org,
            conversation.id,
            0,
        )
        .await
        .unwrap();
    assert_eq!(ids(follower.next().await.unwrap()), (0..1000).collect::<Vec<_>>());
    let rest = tokio::time::timeout(Duration::from_secs(1), follower.next()).await;
    assert_eq!(
        ids(rest.expect("no wait for a signal").unwrap()),
        (1000..1200).collect::<Vec<_>>()
    );
}

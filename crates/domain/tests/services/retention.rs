//! Retention: conversations idle beyond the org's `conversation_expiration` go, with their events.

use serde_json::{Map, Value, json};
use tenantry_domain::{DomainError, Role};

use crate::world::World;

fn days(count: i64) -> chrono::Duration {
    chrono::Duration::days(count)
}

fn body(value: Value) -> Map<String, Value> {
    value.as_object().expect("an object").clone()
}

#[tokio::test]
async fn idle_conversations_expire_with_their_events_and_an_audit_entry() {
    let world = World::new();
    let (owner, dev) = (world.person("owner").await, world.person("dev").await);
    let org = world.org_with(&owner, "acme", &[(&dev, Role::Developer)]).await;
    world
        .settings
        .update_org_settings(
            &owner.caller,
            org,
            &body(json!({ "conversation_expiration": 30 })),
        )
        .await
        .unwrap();
    let old = world.conversation_in(&dev, org).await;
    world
        .conversations
        .append_events(&dev.caller, org, old.id, vec![json!({ "kind": "a" })])
        .await
        .unwrap();
    let busy = world.conversation_in(&dev, org).await;
    let elsewhere = world.conversation_of(&dev).await;

    world.clock.advance(days(29));
    assert_eq!(
        world.retention.sweep().await.unwrap(),
        0,
        "not idle long enough yet"
    );
    world
        .conversations
        .append_events(&dev.caller, org, busy.id, vec![json!({ "kind": "b" })])
        .await
        .unwrap();
    world.clock.advance(days(2));
    assert_eq!(world.retention.sweep().await.unwrap(), 1);

    let gone = world.conversations.get(&dev.caller, org, old.id).await;
    assert!(matches!(gone, Err(DomainError::NotFound)), "{gone:?}");
    assert!(
        world.conversations.get(&dev.caller, org, busy.id).await.is_ok(),
        "recent activity keeps it"
    );
    assert!(
        world
            .conversations
            .get(&dev.caller, dev.personal_org, elsewhere.id)
            .await
            .is_ok(),
        "an org without the setting keeps everything"
    );
    assert_eq!(
        world.events.object_count(),
        1,
        "only the kept conversation's events remain"
    );
    let audit = world.orgs.audit_log(&owner.caller, org, None, 10).await.unwrap();
    let expired: Vec<_> = audit
        .iter()
        .filter(|entry| entry.action == tenantry_domain::AuditAction::ConversationExpired)
        .collect();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].target_id.as_deref(), Some(old.id.to_string().as_str()));
    assert_eq!(expired[0].actor_id, None);
}

#[tokio::test]
async fn without_the_setting_nothing_expires() {
    let world = World::new();
    let dev = world.person("dev").await;
    let conversation = world.conversation_of(&dev).await;
    world.clock.advance(days(10_000));
    assert_eq!(world.retention.sweep().await.unwrap(), 0);
    assert!(
        world
            .conversations
            .get(&dev.caller, dev.personal_org, conversation.id)
            .await
            .is_ok()
    );
}

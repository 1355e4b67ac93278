//! An org's data taken out: who may, what is handed over and in which order, and that no secret
//! goes with it.

use async_trait::async_trait;
use serde_json::{Map, Value, json};
use tenantry_domain::{
    AuditEntry, Conversation, ConversationId, DomainError, Org, Role, StoredEvent,
    ports::{ExportSink, ExportedSettings, MemberView},
    services::{ExportPorts, ExportService},
};

use crate::world::World;

/// Writes down what the export hands over, in order.
#[derive(Default)]
struct Recorded {
    steps: Vec<String>,
    settings: ExportedSettings,
}

#[async_trait]
impl ExportSink for Recorded {
    async fn org(&mut self, org: &Org, settings: &ExportedSettings) -> Result<(), DomainError> {
        self.steps.push(format!("org {}", org.name.as_str()));
        self.settings = settings.clone();
        Ok(())
    }

    async fn member(&mut self, member: &MemberView) -> Result<(), DomainError> {
        self.steps.push(format!("member {}", member.email.as_str()));
        Ok(())
    }

    async fn conversation(&mut self, conversation: &Conversation) -> Result<(), DomainError> {
        self.steps
            .push(format!("conversation {}", conversation.event_count));
        Ok(())
    }

    async fn events(&mut self, _: ConversationId, events: &[StoredEvent]) -> Result<(), DomainError> {
        self.steps.push(format!("events {}", events.len()));
        Ok(())
    }

    async fn audit(&mut self, _: &AuditEntry) -> Result<(), DomainError> {
        if self.steps.last().is_none_or(|last| last != "audit") {
            self.steps.push("audit".into());
        }
        Ok(())
    }

    async fn finish(&mut self) -> Result<(), DomainError> {
        self.steps.push("finish".into());
        Ok(())
    }
}

fn export(world: &World) -> ExportService {
    ExportService::new(ExportPorts {
        orgs: world.store.clone(),
        directory: world.store.clone(),
        settings: world.store.clone(),
        audit: world.store.clone(),
        conversations: world.conversations.clone(),
        accounts: world.store.clone(),
    })
}

#[tokio::test]
async fn the_org_members_conversations_with_their_events_and_the_audit_log_go_in_order() {
    let world = World::new();
    let owner = world.person("owner").await;
    let org = world.org_with(&owner, "acme", &[]).await;
    let conversation = world.conversation_in(&owner, org).await;
    world
        .conversations
        .append_events(
            &owner.caller,
            org,
            conversation.id,
            vec![json!({ "a": 1 }), json!({ "a": 2 })],
        )
        .await
        .unwrap();
    let mut sink = Recorded::default();
    export(&world)
        .export(&owner.caller, org, &mut sink)
        .await
        .unwrap();
    assert_eq!(
        sink.steps,
        [
            "org acme",
            "member owner@example.com",
            "conversation 2",
            "events 2",
            "audit",
            "finish"
        ]
    );
}

#[tokio::test]
async fn no_secret_setting_goes_with_the_export() {
    let world = World::new();
    let owner = world.person("owner").await;
    let org = world.org_with(&owner, "acme", &[]).await;
    let mut change = Map::new();
    change.insert("llm_model".into(), json!("openai/gpt-4o"));
    change.insert("llm_api_key".into(), json!("sk-very-secret"));
    world
        .settings
        .update_org_settings(&owner.caller, org, &change)
        .await
        .unwrap();
    let mut sink = Recorded::default();
    export(&world)
        .export(&owner.caller, org, &mut sink)
        .await
        .unwrap();
    assert_eq!(
        sink.settings.values.get("llm_model"),
        Some(&json!("openai/gpt-4o"))
    );
    let everything = Value::Object(sink.settings.values.clone()).to_string();
    assert!(!everything.contains("sk-very-secret"), "{everything}");
}

#[tokio::test]
async fn only_an_owner_exports() {
    let world = World::new();
    let (owner, admin) = (world.person("owner").await, world.person("admin").await);
    let org = world.org_with(&owner, "acme", &[(&admin, Role::Admin)]).await;
    let mut sink = Recorded::default();
    let refused = export(&world).export(&admin.caller, org, &mut sink).await;
    assert!(matches!(refused, Err(DomainError::Forbidden)), "{refused:?}");
    assert!(sink.steps.is_empty(), "nothing was handed over: {:?}", sink.steps);
}

#[tokio::test]
async fn an_operator_exports_as_the_orgs_owner() {
    let world = World::new();
    let owner = world.person("owner").await;
    let org = world.org_with(&owner, "acme", &[]).await;
    let mut sink = Recorded::default();
    export(&world).export_as_operator(org, &mut sink).await.unwrap();
    assert_eq!(sink.steps.first().map(String::as_str), Some("org acme"));
    assert_eq!(sink.steps.last().map(String::as_str), Some("finish"));
}

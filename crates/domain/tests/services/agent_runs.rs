//! Conversations Tenantry starts on agent servers: on the caller's own sandbox, with the caller's
//! settings, secrets offered by name only, and nothing recorded when the agent server fails.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde_json::{Map, json};
use tenantry_crypto::{KeyRing, RandomSecretTokens};
use tenantry_domain::{
    ConversationId, DomainError, OrgId, Role, SecretString,
    agent_launch::Launch,
    outbound_policy::OutboundPolicy,
    ports::{AgentServer, AgentServerFailure, AllowAllConversations, IgnoreSpending},
    secrets::SecretScope,
    services::{
        AgentRunPorts, AgentRunService, SandboxPorts, SandboxService, agent_runs::StartInput,
        sandboxes::NewSandboxInput, secrets::PutSecretInput,
    },
};
use tenantry_memory::{MemoryEventStore, MemorySignalBus};
use uuid::Uuid;

use crate::world::{Person, World};

/// An agent server that answers as told and writes down what it was asked. Test code only: the
/// end-to-end suite runs the real agent server.
#[derive(Default)]
struct Recording {
    failing: bool,
    launches: Mutex<Vec<Launch>>,
    messages: Mutex<Vec<(ConversationId, String)>>,
}

#[async_trait]
impl AgentServer for Recording {
    async fn check_destination(&self, _: &str) -> Result<(), AgentServerFailure> {
        Ok(())
    }
    async fn start_conversation(
        &self,
        _: &str,
        _: &SecretString,
        launch: &Launch,
    ) -> Result<(), AgentServerFailure> {
        if self.failing {
            return Err(AgentServerFailure::Unavailable);
        }
        self.launches.lock().unwrap().push(launch.clone());
        Ok(())
    }
    async fn send_message(
        &self,
        _: &str,
        _: &SecretString,
        conversation: ConversationId,
        text: &str,
    ) -> Result<(), AgentServerFailure> {
        self.messages
            .lock()
            .unwrap()
            .push((conversation, text.to_owned()));
        Ok(())
    }
    async fn pause(&self, _: &str, _: &SecretString, _: ConversationId) -> Result<(), AgentServerFailure> {
        Ok(())
    }
    async fn run(&self, _: &str, _: &SecretString, _: ConversationId) -> Result<(), AgentServerFailure> {
        Ok(())
    }
    async fn delete_conversation(
        &self,
        _: &str,
        _: &SecretString,
        _: ConversationId,
    ) -> Result<(), AgentServerFailure> {
        Ok(())
    }
}

struct Runs {
    world: World,
    agent: Arc<Recording>,
    sandboxes: SandboxService,
    runs: AgentRunService,
}

fn runs_with(agent: Recording) -> Runs {
    let world = World::new();
    let agent = Arc::new(agent);
    let store = world.store.clone();
    let (key_id, key) = KeyRing::new_config_entry();
    let sandboxes = SandboxService::new(
        SandboxPorts {
            sandboxes: store.clone(),
            events: Arc::new(MemoryEventStore::new()),
            unit_of_work: store.clone(),
            signals: Arc::new(MemorySignalBus::default()),
            orgs: store.clone(),
            users: store.clone(),
            secret_tokens: Arc::new(RandomSecretTokens),
            cipher: Arc::new(KeyRing::from_config(&format!("{key_id}:{key}"), &key_id).expect("key ring")),
            secrets: store.clone(),
            agents: agent.clone(),
            clock: world.clock.clone(),
            spend: Arc::new(IgnoreSpending),
        },
        "http://tenantry.test",
        OutboundPolicy::default(),
    );
    let runs = AgentRunService::new(
        AgentRunPorts {
            agents: agent.clone(),
            policy: Arc::new(AllowAllConversations),
            secrets: store.clone(),
            orgs: store.clone(),
            remote_deletions: store.clone(),
            clock: world.clock.clone(),
        },
        world.conversations.clone(),
        world.settings.clone(),
        sandboxes.clone(),
        "workspace/project",
    );
    Runs {
        world,
        agent,
        sandboxes,
        runs,
    }
}

impl Runs {
    async fn sandbox_of(&self, person: &Person, org: OrgId) -> Uuid {
        self.sandboxes
            .create(
                &person.caller,
                org,
                NewSandboxInput {
                    name: "box".into(),
                    url: Some("https://agents.example.com/box".into()),
                },
            )
            .await
            .expect("sandbox")
            .0
            .id
    }

    async fn start(
        &self,
        person: &Person,
        org: OrgId,
        sandbox: Uuid,
    ) -> Result<tenantry_domain::Conversation, DomainError> {
        self.runs
            .start(
                &person.caller,
                org,
                StartInput {
                    sandbox_id: sandbox,
                    initial_message: Some("fix the build".into()),
                    run_initial_message: true,
                    title: None,
                    selected_repository: None,
                    selected_branch: None,
                    visibility: None,
                },
            )
            .await
    }
}

#[tokio::test]
async fn a_conversation_starts_with_the_orgs_settings_and_the_first_message() {
    let r = runs_with(Recording::default());
    let dev = r.world.person("dev").await;
    let org = dev.personal_org;
    let mut settings = Map::new();
    settings.insert("llm_model".into(), json!("openai/gpt-4o-mini"));
    r.world
        .settings
        .update_org_settings(&dev.caller, org, &settings)
        .await
        .unwrap();
    let sandbox = r.sandbox_of(&dev, org).await;
    let started = r.start(&dev, org, sandbox).await.unwrap();
    let launches = r.agent.launches.lock().unwrap();
    assert_eq!(launches.len(), 1);
    assert_eq!(launches[0].conversation_id, started.id);
    assert_eq!(
        launches[0].settings.llm_model.as_deref(),
        Some("openai/gpt-4o-mini")
    );
    assert_eq!(launches[0].initial_message.as_deref(), Some("fix the build"));
}

#[tokio::test]
async fn secrets_are_offered_by_name_and_url_only() {
    let r = runs_with(Recording::default());
    let dev = r.world.person("dev").await;
    let org = dev.personal_org;
    r.world
        .secrets
        .put(
            &dev.caller,
            org,
            "DEPLOY_TOKEN",
            PutSecretInput {
                value: SecretString::new("s3cret-value"),
                description: None,
                scope: SecretScope::User,
            },
        )
        .await
        .unwrap();
    let sandbox = r.sandbox_of(&dev, org).await;
    r.start(&dev, org, sandbox).await.unwrap();
    let launches = r.agent.launches.lock().unwrap();
    let offered: Vec<&str> = launches[0]
        .secrets
        .iter()
        .map(|secret| secret.name.as_str())
        .collect();
    assert_eq!(offered, ["DEPLOY_TOKEN"]);
    assert!(!format!("{:?}", launches[0]).contains("s3cret-value"));
}

#[tokio::test]
async fn nothing_is_recorded_when_the_agent_server_fails() {
    let r = runs_with(Recording {
        failing: true,
        ..Recording::default()
    });
    let dev = r.world.person("dev").await;
    let org = dev.personal_org;
    let sandbox = r.sandbox_of(&dev, org).await;
    assert!(r.start(&dev, org, sandbox).await.is_err());
    let listed = r
        .world
        .conversations
        .list(&dev.caller, org, Default::default())
        .await
        .unwrap();
    assert!(listed.items.is_empty());
}

#[tokio::test]
async fn a_viewer_starts_nothing() {
    let r = runs_with(Recording::default());
    let (owner, viewer) = (r.world.person("owner").await, r.world.person("viewer").await);
    let org = r.world.org_with(&owner, "acme", &[(&viewer, Role::Viewer)]).await;
    let sandbox = r.sandbox_of(&owner, org).await;
    let refused = r.start(&viewer, org, sandbox).await;
    assert!(matches!(refused, Err(DomainError::Forbidden)), "{refused:?}");
    assert!(r.agent.launches.lock().unwrap().is_empty());
}

#[tokio::test]
async fn another_members_sandbox_is_not_found() {
    let r = runs_with(Recording::default());
    let (owner, dev) = (r.world.person("owner").await, r.world.person("dev").await);
    let org = r.world.org_with(&owner, "acme", &[(&dev, Role::Developer)]).await;
    let sandbox = r.sandbox_of(&owner, org).await;
    let refused = r.start(&dev, org, sandbox).await;
    assert!(matches!(refused, Err(DomainError::NotFound)), "{refused:?}");
}

#[tokio::test]
async fn a_message_runs_the_agent_of_the_conversations_sandbox() {
    let r = runs_with(Recording::default());
    let dev = r.world.person("dev").await;
    let org = dev.personal_org;
    let sandbox = r.sandbox_of(&dev, org).await;
    let started = r.start(&dev, org, sandbox).await.unwrap();
    r.runs
        .message(&dev.caller, org, started.id, "and the tests")
        .await
        .unwrap();
    assert_eq!(
        *r.agent.messages.lock().unwrap(),
        [(started.id, "and the tests".to_owned())]
    );
}

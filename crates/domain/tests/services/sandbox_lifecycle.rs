//! Sandboxes Tenantry runs: provisioning within limits, the moves supervision makes from what the
//! runtime sees, idle pauses on a manual clock, and what happens to the runtime when records go.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use futures::future::join_all;
use tenantry_crypto::{KeyRing, RandomSecretTokens};
use tenantry_domain::{
    ConversationId, DomainError, OrgId, Role, SecretString,
    agent_reports::ConversationReport,
    conversations::execution_status::ExecutionStatus,
    outbound_policy::OutboundPolicy,
    ports::{AgentServer, AgentServerFailure, IgnoreSpending},
    sandbox::SandboxStatus,
    sandbox_lifecycle::ObservedWhen,
    sandbox_limits::SandboxLimits,
    sandbox_spec::{SandboxSpec, SandboxSpecs},
    services::{
        ProvisionInput, SandboxPorts, SandboxRuntimeSetup, SandboxService, SandboxView,
        sandboxes::NewSandboxInput,
    },
};
use tenantry_memory::{MemoryEventStore, MemorySandboxRuntime, MemorySignalBus};
use uuid::Uuid;

use crate::world::{Person, World};

/// No agent server is called by these use cases.
struct Unreachable;

#[async_trait]
impl AgentServer for Unreachable {
    async fn check_destination(&self, _: &str) -> Result<(), AgentServerFailure> {
        Err(AgentServerFailure::Unavailable)
    }
    async fn start_conversation(
        &self,
        _: &str,
        _: &SecretString,
        _: &tenantry_domain::agent_launch::Launch,
    ) -> Result<(), AgentServerFailure> {
        Err(AgentServerFailure::Unavailable)
    }
    async fn send_message(
        &self,
        _: &str,
        _: &SecretString,
        _: ConversationId,
        _: &str,
    ) -> Result<(), AgentServerFailure> {
        Err(AgentServerFailure::Unavailable)
    }
    async fn pause(&self, _: &str, _: &SecretString, _: ConversationId) -> Result<(), AgentServerFailure> {
        Err(AgentServerFailure::Unavailable)
    }
    async fn run(&self, _: &str, _: &SecretString, _: ConversationId) -> Result<(), AgentServerFailure> {
        Err(AgentServerFailure::Unavailable)
    }
    async fn delete_conversation(
        &self,
        _: &str,
        _: &SecretString,
        _: ConversationId,
    ) -> Result<(), AgentServerFailure> {
        Err(AgentServerFailure::Unavailable)
    }
}

fn delta(duration: Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(duration).expect("a short duration")
}

const IDLE: Duration = Duration::from_secs(600);
const START_TIMEOUT: Duration = Duration::from_secs(120);

struct Sandboxes {
    world: World,
    runtime: Arc<MemorySandboxRuntime>,
    service: SandboxService,
}

fn sandboxes_with(limits: SandboxLimits) -> Sandboxes {
    let world = World::new();
    let runtime = Arc::new(MemorySandboxRuntime::new());
    let (key_id, key) = KeyRing::new_config_entry();
    let store = world.store.clone();
    let service = SandboxService::new(
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
            agents: Arc::new(Unreachable),
            clock: world.clock.clone(),
            spend: Arc::new(IgnoreSpending),
        },
        "http://tenantry.test",
        OutboundPolicy::default(),
    )
    .with_runtime(SandboxRuntimeSetup {
        runtime: runtime.clone(),
        specs: SandboxSpecs::new(
            vec![SandboxSpec {
                id: "process".into(),
                command: Vec::new(),
                working_dir: "workspace/project".into(),
                initial_env: [("OH_PRELOAD_TOOLS".to_owned(), "false".to_owned())].into(),
            }],
            "process",
        )
        .expect("specs"),
        limits,
        idle_timeout: Some(chrono::Duration::from_std(IDLE).expect("idle")),
        start_timeout: START_TIMEOUT,
    });
    Sandboxes {
        world,
        runtime,
        service,
    }
}

fn sandboxes() -> Sandboxes {
    sandboxes_with(SandboxLimits {
        per_org: 3,
        per_user: 2,
    })
}

impl Sandboxes {
    async fn provision(&self, person: &Person, org: OrgId) -> Result<SandboxView, DomainError> {
        self.service
            .provision(&person.caller, org, ProvisionInput::default())
            .await
            .map(|(view, _)| view)
    }

    async fn started(&self, person: &Person) -> Uuid {
        self.provision(person, person.personal_org)
            .await
            .expect("started")
            .sandbox
            .id
    }

    async fn status(&self, person: &Person, org: OrgId, id: Uuid) -> SandboxStatus {
        let view = self.service.view(&person.caller, org, id).await.expect("visible");
        view.sandbox.runtime.expect("runs").status
    }

    async fn supervise(&self) {
        self.service
            .supervise(ObservedWhen::Running)
            .await
            .expect("supervised");
    }

    async fn running(&self, person: &Person) -> Uuid {
        let id = self.started(person).await;
        self.runtime.answer(id);
        self.supervise().await;
        id
    }

    async fn audited(&self, person: &Person, org: OrgId) -> Vec<String> {
        self.world
            .orgs
            .audit_log(&person.caller, org, None, 100)
            .await
            .expect("audit")
            .into_iter()
            .map(|entry| entry.action.name().to_owned())
            .collect()
    }
}

#[tokio::test]
async fn a_provisioned_sandbox_starts_with_its_spec_key_and_webhook_address() {
    let s = sandboxes();
    let ann = s.world.person("ann").await;
    let (view, key) = s
        .service
        .provision(&ann.caller, ann.personal_org, ProvisionInput::default())
        .await
        .expect("started");
    assert_eq!(
        view.sandbox.runtime.as_ref().map(|record| record.status),
        Some(SandboxStatus::Starting)
    );
    let launch = &s.runtime.launches()[0];
    assert_eq!(launch.sandbox_id, view.sandbox.id);
    assert_eq!(launch.session_key.expose(), key.expose());
    assert_ne!(launch.agent_secret_key.expose(), key.expose());
    assert_eq!(launch.webhook_base_url, "http://tenantry.test/api/v1/webhooks");
    assert_eq!(launch.spec.id, "process");
    assert!(
        s.audited(&ann, ann.personal_org)
            .await
            .iter()
            .any(|action| action == "sandbox.started")
    );
}

#[tokio::test]
async fn a_started_sandbox_runs_once_its_agent_server_answers() {
    let s = sandboxes();
    let ann = s.world.person("ann").await;
    let id = s.started(&ann).await;
    s.supervise().await;
    assert_eq!(
        s.status(&ann, ann.personal_org, id).await,
        SandboxStatus::Starting
    );
    s.runtime.answer(id);
    s.supervise().await;
    assert_eq!(s.status(&ann, ann.personal_org, id).await, SandboxStatus::Running);
}

#[tokio::test]
async fn a_start_silent_past_the_timeout_fails_and_is_stopped() {
    let s = sandboxes();
    let ann = s.world.person("ann").await;
    let id = s.started(&ann).await;
    s.world
        .clock
        .advance(delta(START_TIMEOUT + Duration::from_secs(1)));
    s.supervise().await;
    assert_eq!(s.status(&ann, ann.personal_org, id).await, SandboxStatus::Error);
    assert!(!s.runtime.runs(id));
    assert!(
        s.audited(&ann, ann.personal_org)
            .await
            .iter()
            .any(|action| action == "sandbox.failed")
    );
}

#[tokio::test]
async fn a_crash_is_an_error_and_resume_starts_it_again() {
    let s = sandboxes();
    let ann = s.world.person("ann").await;
    let id = s.running(&ann).await;
    s.runtime.crash(id);
    s.supervise().await;
    assert_eq!(s.status(&ann, ann.personal_org, id).await, SandboxStatus::Error);
    let resumed = s
        .service
        .resume(&ann.caller, ann.personal_org, id)
        .await
        .expect("resumed");
    assert_eq!(
        resumed.sandbox.runtime.map(|record| record.status),
        Some(SandboxStatus::Starting)
    );
    assert_eq!(s.runtime.launches().len(), 2);
    assert!(s.runtime.runs(id));
}

#[tokio::test]
async fn a_resumed_sandbox_gets_the_same_keys_again() {
    let s = sandboxes();
    let ann = s.world.person("ann").await;
    let id = s.running(&ann).await;
    s.service
        .pause(&ann.caller, ann.personal_org, id)
        .await
        .expect("paused");
    s.service
        .resume(&ann.caller, ann.personal_org, id)
        .await
        .expect("resumed");
    let launches = s.runtime.launches();
    assert_eq!(launches[0].session_key.expose(), launches[1].session_key.expose());
    assert_eq!(
        launches[0].agent_secret_key.expose(),
        launches[1].agent_secret_key.expose()
    );
}

#[tokio::test]
async fn what_vanished_while_tenantry_was_away_is_missing() {
    let s = sandboxes();
    let ann = s.world.person("ann").await;
    let id = s.running(&ann).await;
    s.runtime.crash(id);
    s.service
        .supervise(ObservedWhen::AtStart)
        .await
        .expect("supervised");
    assert_eq!(s.status(&ann, ann.personal_org, id).await, SandboxStatus::Missing);
}

#[tokio::test]
async fn pausing_stops_the_runtime_and_keeps_the_workspace() {
    let s = sandboxes();
    let ann = s.world.person("ann").await;
    let id = s.running(&ann).await;
    let paused = s
        .service
        .pause(&ann.caller, ann.personal_org, id)
        .await
        .expect("paused");
    assert_eq!(
        paused.sandbox.runtime.map(|record| record.status),
        Some(SandboxStatus::Paused)
    );
    assert!(paused.exposed_urls.is_empty());
    assert!(!s.runtime.runs(id) && s.runtime.holds(id));
}

#[tokio::test]
async fn an_idle_sandbox_is_paused_after_the_timeout() {
    let s = sandboxes();
    let ann = s.world.person("ann").await;
    let id = s.running(&ann).await;
    s.world.clock.advance(delta(IDLE - Duration::from_secs(1)));
    s.supervise().await;
    assert_eq!(s.status(&ann, ann.personal_org, id).await, SandboxStatus::Running);
    s.world.clock.advance(delta(Duration::from_secs(2)));
    s.supervise().await;
    assert_eq!(s.status(&ann, ann.personal_org, id).await, SandboxStatus::Paused);
    assert!(!s.runtime.runs(id));
}

#[tokio::test]
async fn a_sandbox_with_a_running_conversation_is_not_idle() {
    let s = sandboxes();
    let ann = s.world.person("ann").await;
    let (view, key) = s
        .service
        .provision(&ann.caller, ann.personal_org, ProvisionInput::default())
        .await
        .expect("started");
    let id = view.sandbox.id;
    s.runtime.answer(id);
    s.supervise().await;
    let actor = s
        .service
        .authenticate(key.expose())
        .await
        .expect("the sandbox's key");
    let mut report = ConversationReport::naming(Uuid::new_v4());
    report.execution_status = ExecutionStatus::parse("running");
    s.service
        .report_conversation(&actor, report)
        .await
        .expect("reported");
    s.world.clock.advance(delta(IDLE * 3));
    s.supervise().await;
    assert_eq!(s.status(&ann, ann.personal_org, id).await, SandboxStatus::Running);
}

#[tokio::test]
async fn the_org_limit_refuses_a_start_and_launches_nothing() {
    let s = sandboxes_with(SandboxLimits {
        per_org: 1,
        per_user: 0,
    });
    let ann = s.world.person("ann").await;
    s.started(&ann).await;
    let refused = s.provision(&ann, ann.personal_org).await;
    assert!(
        matches!(
            refused,
            Err(DomainError::LimitReached {
                code: "sandbox_limit",
                ..
            })
        ),
        "{refused:?}"
    );
    assert_eq!(s.runtime.launches().len(), 1);
}

#[tokio::test]
async fn the_member_limit_refuses_a_start_while_the_org_has_room() {
    let s = sandboxes();
    let ann = s.world.person("ann").await;
    let bob = s.world.person("bob").await;
    let org = s.world.org_with(&ann, "Team", &[(&bob, Role::Developer)]).await;
    for _ in 0..2 {
        s.provision(&bob, org).await.expect("within bob's limit");
    }
    assert!(matches!(
        s.provision(&bob, org).await,
        Err(DomainError::LimitReached { .. })
    ));
    s.provision(&ann, org).await.expect("ann still has room");
}

#[tokio::test]
async fn concurrent_starts_admit_exactly_the_limit() {
    let s = sandboxes_with(SandboxLimits {
        per_org: 3,
        per_user: 0,
    });
    let ann = s.world.person("ann").await;
    let attempts = (0..10).map(|_| s.provision(&ann, ann.personal_org));
    let admitted = join_all(attempts).await.into_iter().filter(Result::is_ok).count();
    assert_eq!(admitted, 3);
    assert_eq!(s.runtime.launches().len(), 3);
}

#[tokio::test]
async fn a_paused_sandbox_frees_its_slot_and_cannot_resume_into_a_full_org() {
    let s = sandboxes_with(SandboxLimits {
        per_org: 1,
        per_user: 0,
    });
    let ann = s.world.person("ann").await;
    let first = s.running(&ann).await;
    s.service
        .pause(&ann.caller, ann.personal_org, first)
        .await
        .expect("paused");
    s.started(&ann).await;
    let refused = s.service.resume(&ann.caller, ann.personal_org, first).await;
    assert!(
        matches!(refused, Err(DomainError::LimitReached { .. })),
        "{refused:?}"
    );
    assert_eq!(
        s.status(&ann, ann.personal_org, first).await,
        SandboxStatus::Paused
    );
}

#[tokio::test]
async fn deleting_a_sandbox_removes_its_runtime() {
    let s = sandboxes();
    let ann = s.world.person("ann").await;
    let id = s.running(&ann).await;
    s.service
        .delete(&ann.caller, ann.personal_org, id)
        .await
        .expect("deleted");
    assert!(!s.runtime.holds(id));
    assert!(
        s.audited(&ann, ann.personal_org)
            .await
            .iter()
            .any(|action| action == "sandbox.stopped")
    );
}

#[tokio::test]
async fn what_no_record_claims_is_removed() {
    let s = sandboxes();
    let stray = Uuid::new_v4();
    s.runtime.leave_behind(stray);
    s.supervise().await;
    assert!(!s.runtime.holds(stray));
}

#[tokio::test]
async fn a_removed_members_sandboxes_stop() {
    let s = sandboxes();
    let ann = s.world.person("ann").await;
    let bob = s.world.person("bob").await;
    let org = s.world.org_with(&ann, "Team", &[(&bob, Role::Developer)]).await;
    let id = s.provision(&bob, org).await.expect("started").sandbox.id;
    s.world
        .orgs
        .remove_member(&ann.caller, org, bob.user.id)
        .await
        .expect("removed");
    s.supervise().await;
    assert!(!s.runtime.holds(id));
}

#[tokio::test]
async fn a_registered_sandbox_cannot_be_paused() {
    let s = sandboxes();
    let ann = s.world.person("ann").await;
    let input = NewSandboxInput {
        name: "elsewhere".into(),
        url: None,
    };
    let (registered, _) = s
        .service
        .create(&ann.caller, ann.personal_org, input)
        .await
        .expect("registered");
    let refused = s
        .service
        .pause(&ann.caller, ann.personal_org, registered.id)
        .await;
    assert!(
        matches!(
            refused,
            Err(DomainError::Conflict {
                code: "sandbox_not_provisioned",
                ..
            })
        ),
        "{refused:?}"
    );
}

#[tokio::test]
async fn another_members_sandbox_is_not_found_below_admin() {
    let s = sandboxes();
    let ann = s.world.person("ann").await;
    let bob = s.world.person("bob").await;
    let cat = s.world.person("cat").await;
    let org = s
        .world
        .org_with(&ann, "Team", &[(&bob, Role::Developer), (&cat, Role::Developer)])
        .await;
    let id = s.provision(&bob, org).await.expect("started").sandbox.id;
    assert!(matches!(
        s.service.view(&cat.caller, org, id).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        s.service.pause(&cat.caller, org, id).await,
        Err(DomainError::NotFound)
    ));
    s.service.pause(&ann.caller, org, id).await.expect("an owner may");
}

#[tokio::test]
async fn another_orgs_member_finds_nothing() {
    let s = sandboxes();
    let ann = s.world.person("ann").await;
    let eve = s.world.person("eve").await;
    let id = s.started(&ann).await;
    for org in [ann.personal_org, eve.personal_org] {
        assert!(matches!(
            s.service.view(&eve.caller, org, id).await,
            Err(DomainError::NotFound)
        ));
        assert!(matches!(
            s.service.resume(&eve.caller, org, id).await,
            Err(DomainError::NotFound)
        ));
    }
}

#[tokio::test]
async fn a_starting_sandbox_read_once_it_answers_is_running_without_waiting_for_supervision() {
    let s = sandboxes();
    let ann = s.world.person("ann").await;
    let id = s.started(&ann).await;
    s.runtime.answer(id);
    assert_eq!(s.status(&ann, ann.personal_org, id).await, SandboxStatus::Running);
}

//! Sandboxes and the webhooks their agent servers report through.

use std::sync::Arc;

use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    AuditAction, AuditEntry, Caller, ConversationId, DomainError, OrgId, SecretString, User,
    agents::agent_reports::{AgentStateChange, ConversationReport, ReportOutcome, ReportedEvent},
    agents::outbound_policy::OutboundPolicy,
    agents::sandbox::{Sandbox, SandboxOrigin, sandbox_name, sandbox_url, session_key_address},
    agents::sandbox_access::{ExistingConversation, SandboxFacts, decide_sandbox_action, sandbox_owns},
    agents::services::sandbox_lifecycle::{SandboxGuards, SandboxRuntimeSetup},
    clock::Clock,
    conversations::event_ids,
    new_id,
    orgs::policy::{Permission, require},
    ports::{
        Accounts, AgentServer, AgentServerFailure, AppendedRange, EventStore, LockedConversation, Orgs,
        SandboxStore, SecretCipher, SecretStore, SecretTokens, SegmentObject, Signal, SignalBus, Transaction,
        UnitOfWork,
    },
};

/// The adapters sandboxes need.
#[derive(Clone)]
pub struct SandboxPorts {
    /// Registered sandboxes.
    pub sandboxes: Arc<dyn SandboxStore>,
    /// Event payloads.
    pub events: Arc<dyn EventStore>,
    /// Appends of reported events, decided with the conversation locked.
    pub unit_of_work: Arc<dyn UnitOfWork>,
    /// Tells followers about reported events.
    pub signals: Arc<dyn SignalBus>,
    /// Memberships.
    pub orgs: Arc<dyn Orgs>,
    /// Creators' accounts.
    pub users: Arc<dyn Accounts>,
    /// Session keys and their digests.
    pub secret_tokens: Arc<dyn SecretTokens>,
    /// Seals session keys (Tenantry presents them to the agent servers it drives).
    pub cipher: Arc<dyn SecretCipher>,
    /// Where sealed session keys are read back.
    pub secrets: Arc<dyn SecretStore>,
    /// The agent servers' REST API (asked to resolve and check a URL at registration).
    pub agents: Arc<dyn AgentServer>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Told about counted usage (alerts, `over_budget`).
    pub spend: Arc<dyn crate::ports::SpendObserver>,
}

/// What a client sends to register a sandbox.
#[derive(Debug, Clone, Default)]
pub struct NewSandboxInput {
    /// Label.
    pub name: String,
    /// The agent server's base URL, when Tenantry drives it.
    pub url: Option<String>,
}

/// A sandbox acting through its session key: for its creator, inside its org.
#[derive(Debug, Clone)]
pub struct SandboxActor {
    /// The sandbox.
    pub sandbox: Sandbox,
    /// Its creator, as stored now.
    pub creator: User,
}

/// A sandbox whose URL the outbound policy no longer lets Tenantry call.
pub fn url_refused(refusal: &crate::agents::outbound_policy::OutboundRefusal) -> DomainError {
    DomainError::refused(
        "sandbox_url_refused",
        format!("This server does not call the sandbox's URL: {refusal}. Nothing was sent."),
    )
}

/// The sandbox use cases: registration and reports here, the lifecycle of sandboxes Tenantry runs
/// in [`crate::agents::services::sandbox_lifecycle`].
#[derive(Clone)]
pub struct SandboxService {
    pub(crate) ports: SandboxPorts,
    public_url: Arc<str>,
    outbound: Arc<OutboundPolicy>,
    pub(crate) runtime: Option<Arc<SandboxRuntimeSetup>>,
    pub(crate) guards: Arc<SandboxGuards>,
}

impl SandboxService {
    /// The use cases over the given adapters; `public_url` is where agent servers reach Tenantry,
    /// `outbound` where Tenantry may call them.
    pub fn new(ports: SandboxPorts, public_url: &str, outbound: OutboundPolicy) -> Self {
        Self {
            ports,
            public_url: public_url.trim_end_matches('/').into(),
            outbound: Arc::new(outbound),
            runtime: None,
            guards: Arc::default(),
        }
    }

    /// The same use cases, starting sandboxes through `setup`'s runtime.
    pub fn with_runtime(mut self, setup: SandboxRuntimeSetup) -> Self {
        self.runtime = Some(Arc::new(setup));
        self
    }

    /// The sandbox's agent server URL: where the runtime serves one Tenantry runs (`None` while it
    /// does not run), or a registered one's URL if the outbound policy still lets Tenantry call it
    /// (403 `sandbox_url_refused` otherwise; the policy may have changed since it was registered).
    pub async fn agent_url(&self, sandbox: &Sandbox) -> Result<Option<String>, DomainError> {
        if sandbox.runtime.is_some() {
            let view = self.view_of(sandbox.clone()).await;
            return Ok(view
                .exposed_urls
                .into_iter()
                .find(|exposed| exposed.name == crate::ports::AGENT_SERVER)
                .map(|exposed| exposed.url));
        }
        match &sandbox.url {
            Some(url) => match self.outbound.check_url(url) {
                Ok(()) => Ok(Some(url.clone())),
                Err(refusal) => Err(url_refused(&refusal)),
            },
            None => Ok(None),
        }
    }

    /// The base URL an agent server posts its webhooks to (`OH_WEBHOOKS_0_BASE_URL`).
    pub fn webhook_base_url(&self) -> String {
        format!("{}/api/v1/webhooks", self.public_url)
    }

    /// Registers a sandbox (developer+); its session key is returned this once.
    pub async fn create(
        &self,
        caller: &Caller,
        org: OrgId,
        input: NewSandboxInput,
    ) -> Result<(Sandbox, SecretString), DomainError> {
        let role = crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await?;
        require(role, Permission::CreateConversations)?;
        let name = sandbox_name(&input.name)?;
        let url = input.url.as_deref().map(sandbox_url).transpose()?;
        if let Some(url) = &url {
            self.outbound
                .check_url(url)
                .map_err(|refusal| refusal.invalid("url"))?;
            // A name is resolved now too, so a refused address is said at once; it is checked
            // again at every call, where it counts.
            if let Err(AgentServerFailure::Refused(refusal)) = self.ports.agents.check_destination(url).await
            {
                return Err(refusal.invalid("url"));
            }
        }
        let key = self.ports.secret_tokens.generate();
        let now = self.ports.clock.now();
        let sandbox = Sandbox {
            id: new_id(),
            org_id: org,
            created_by: caller.user.id,
            origin: SandboxOrigin::Registered { role: Some(role) },
            name,
            url,
            key_digest: self.ports.secret_tokens.digest(key.expose()),
            created_at: now,
            revoked_at: None,
            runtime: None,
        };
        let audit = AuditEntry::new(
            org,
            now,
            Some(caller.user.id),
            AuditAction::SandboxCreated,
            ("sandbox", Some(sandbox.id.to_string())),
            json!({ "name": sandbox.name, "url": sandbox.url, "role": role.name() }),
        );
        let address = session_key_address(org, sandbox.id);
        let sealed = self
            .ports
            .cipher
            .seal(key.expose().as_bytes(), &address.associated_data())?;
        self.ports
            .sandboxes
            .create(&sandbox, &(address, sealed), &audit)
            .await?;
        Ok((sandbox, key))
    }

    /// The caller's sandboxes in the org; admins see every one.
    pub async fn list(&self, caller: &Caller, org: OrgId) -> Result<Vec<Sandbox>, DomainError> {
        let role = crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await?;
        let creator = require(role, Permission::ManageMembers)
            .is_err()
            .then_some(caller.user.id);
        self.ports.sandboxes.list(org, creator).await
    }

    /// Deletes a sandbox (its creator or admin+); its key fails from the next request on.
    pub async fn delete(&self, caller: &Caller, org: OrgId, id: Uuid) -> Result<(), DomainError> {
        let role = crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await?;
        let sandbox = self
            .ports
            .sandboxes
            .get(org, id)
            .await?
            .ok_or(DomainError::NotFound)?;
        if sandbox.created_by != caller.user.id {
            require(role, Permission::ManageMembers)?;
        }
        // A sandbox Tenantry runs is stopped and its workspace removed.
        let action = match sandbox.runtime {
            Some(_) => AuditAction::SandboxStopped,
            None => AuditAction::SandboxDeleted,
        };
        let audit = AuditEntry::new(
            org,
            self.ports.clock.now(),
            Some(caller.user.id),
            action,
            ("sandbox", Some(id.to_string())),
            json!({ "name": sandbox.name, "created_by": sandbox.created_by }),
        );
        if !self.ports.sandboxes.revoke(org, id, &audit).await? {
            return Err(DomainError::NotFound);
        }
        if sandbox.runtime.is_some() {
            self.remove_runtime(id).await;
        }
        Ok(())
    }

    /// Resolves a presented session key to its sandbox and creator, as
    /// [`decide_sandbox_action`] allows.
    pub async fn authenticate(&self, presented: &str) -> Result<SandboxActor, DomainError> {
        let unknown = || DomainError::Unauthorized("invalid sandbox key");
        if presented.is_empty() {
            return Err(unknown());
        }
        let digest = self.ports.secret_tokens.digest(presented);
        let sandbox = self
            .ports
            .sandboxes
            .by_key_digest(&digest)
            .await?
            .ok_or_else(unknown)?;
        let creator = self.ports.users.user_by_id(sandbox.created_by).await?;
        let membership = match &creator {
            Some(_) => {
                self.ports
                    .orgs
                    .membership(sandbox.org_id, sandbox.created_by)
                    .await?
            }
            None => None,
        };
        decide_sandbox_action(SandboxFacts {
            live: sandbox.revoked_at.is_none(),
            creator_active: creator.as_ref().is_some_and(|user| user.disabled_at.is_none()),
            creator_role: membership.as_ref().map(|membership| membership.role),
            org_requires_mfa: membership
                .as_ref()
                .is_some_and(|membership| membership.org.policy.access.require_mfa),
            creator_has_mfa: creator.as_ref().is_some_and(|user| user.mfa_enabled_at.is_some()),
        })?;
        let creator = creator.ok_or_else(unknown)?;
        Ok(SandboxActor { sandbox, creator })
    }

    /// Records a `POST …/conversations` report: creates the conversation in the sandbox's org, or
    /// updates this sandbox's conversation.
    pub async fn report_conversation(
        &self,
        actor: &SandboxActor,
        report: ConversationReport,
    ) -> Result<(), DomainError> {
        let outcome = self
            .record_report(&actor.sandbox, &report, self.ports.clock.now())
            .await?;
        let recorded = match outcome {
            ReportOutcome::Recorded(recorded) => recorded,
            ReportOutcome::Ignored => return Ok(()),
        };
        if let Some(recorded) = recorded {
            self.ports.spend.spent(recorded).await;
        }
        let changed = Signal::ConversationChanged {
            org: actor.sandbox.org_id,
            conversation: report.id,
        };
        let _ = self.ports.signals.publish(changed).await;
        Ok(())
    }

    /// Records a `POST …/events/{id}` batch: the events not seen before are appended in order (a
    /// retried or overlapping batch adds nothing twice) and their state updates applied. A
    /// conversation not reported yet is created first.
    ///
    /// The events are written to the object store before any transaction begins, as plain appends
    /// are: a slow or hung object store then holds no database connection, and other writes keep
    /// theirs. Under the conversation's lock the batch's keys are claimed; when some were seen
    /// meanwhile (an overlapping delivery), the written object holds too much: nothing is kept, and
    /// the unseen events are written and claimed again. Claimed keys are never given back, so each
    /// round has fewer events to write, and the rounds end.
    pub async fn report_events(
        &self,
        actor: &SandboxActor,
        conversation: ConversationId,
        events: Vec<ReportedEvent>,
    ) -> Result<Option<AppendedRange>, DomainError> {
        let now = self.ports.clock.now();
        let outcome = self
            .record_report(&actor.sandbox, &ConversationReport::naming(conversation), now)
            .await?;
        if outcome == ReportOutcome::Ignored {
            return Ok(None);
        }
        let sandbox = &actor.sandbox;
        let keys: Vec<String> = events.iter().map(|event| event.key.clone()).collect();
        let mut candidates: Vec<usize> = (0..events.len()).collect();
        loop {
            let batch: Vec<Value> = candidates
                .iter()
                .map(|index| events[*index].event.clone())
                .collect();
            let object = SegmentObject::new_batch(sandbox.org_id, conversation);
            self.ports.events.put_batch(object, now, &batch).await?;
            let transaction = self.ports.unit_of_work.begin().await;
            let claimed = async {
                let transaction = transaction?;
                let event_log = transaction.event_log();
                let locked = event_log
                    .lock_conversation(conversation)
                    .await?
                    .filter(|locked| {
                        sandbox_owns(
                            ExistingConversation {
                                org_id: locked.org_id,
                                sandbox_id: locked.sandbox_id,
                            },
                            sandbox.org_id,
                            sandbox.id,
                        )
                    })
                    .ok_or(DomainError::NotFound)?;
                let unseen = event_log.claim_event_keys(conversation, &keys).await?;
                Ok::<_, DomainError>((transaction, locked, unseen))
            }
            .await;
            let (transaction, locked, unseen) = match claimed {
                Ok(claimed) => claimed,
                Err(error) => {
                    let _ = self.ports.events.delete_batch(object).await;
                    return Err(error);
                }
            };
            let now_unseen: Vec<usize> = (0..events.len())
                .filter(|index| unseen.contains(&events[*index].key))
                .collect();
            if now_unseen != candidates {
                // Rolled back: nothing claimed, nothing points to the object.
                drop(transaction);
                let _ = self.ports.events.delete_batch(object).await;
                if now_unseen.is_empty() {
                    return Ok(None);
                }
                candidates = now_unseen;
                continue;
            }
            let change = AgentStateChange::of_run(candidates.iter().map(|index| &events[*index]));
            let range = self
                .record_reported(transaction, locked, object, batch.len(), &change, now)
                .await?;
            let _ = self
                .ports
                .signals
                .publish(Signal::Appended {
                    org: sandbox.org_id,
                    conversation,
                    last_id: range.last_id,
                })
                .await;
            return Ok(Some(range));
        }
    }

    /// Records the written `object` holding `count` events in the conversation `locked` in
    /// `transaction`, applies the state they report (`change`) and commits. The object is deleted when it was certainly
    /// not recorded; when the commit itself failed it is kept (the commit may have landed).
    async fn record_reported(
        &self,
        transaction: Box<dyn Transaction>,
        locked: LockedConversation,
        object: SegmentObject,
        count: usize,
        change: &AgentStateChange,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<AppendedRange, DomainError> {
        let conversation = object.conversation_id;
        let recorded = async {
            let segment = event_ids::allocate(object, locked.event_count, count)?;
            let event_log = transaction.event_log();
            event_log.record_segment(segment, now).await?;
            let spent = if change.is_empty() {
                None
            } else {
                event_log.apply_reported_state(conversation, change, now).await?
            };
            Ok::<_, DomainError>((segment, spent))
        }
        .await;
        let (segment, spent) = match recorded {
            Ok(recorded) => recorded,
            Err(error) => {
                drop(transaction);
                let _ = self.ports.events.delete_batch(object).await;
                return Err(error);
            }
        };
        transaction.commit().await?;
        if let Some(spent) = spent {
            self.ports.spend.spent(spent).await;
        }
        Ok(AppendedRange {
            first_id: segment.first_id,
            last_id: segment.last_id,
        })
    }

    /// A live sandbox of the org and its session key (decrypted in memory), for driving its agent
    /// server.
    pub async fn with_key(&self, org: OrgId, id: Uuid) -> Result<(Sandbox, SecretString), DomainError> {
        let sandbox = self
            .ports
            .sandboxes
            .get(org, id)
            .await?
            .ok_or(DomainError::NotFound)?;
        let address = session_key_address(org, sandbox.id);
        let sealed = self
            .ports
            .secrets
            .get(&address)
            .await?
            .ok_or_else(|| DomainError::Internal("sandbox without a sealed session key".into()))?;
        let plain = self.ports.cipher.open(&sealed, &address.associated_data())?;
        Ok((sandbox, plain))
    }
}

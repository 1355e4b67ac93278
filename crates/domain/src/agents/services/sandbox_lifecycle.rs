//! Sandboxes Tenantry runs itself, through a [`SandboxRuntime`]: provisioned with limits, paused,
//! resumed, supervised (a start that answers is running, a crash is an error, an idle sandbox is
//! paused) and reconciled with what the runtime holds, after a restart too. The moves are decided by
//! [`crate::agents::sandbox_lifecycle`], the limits by [`crate::agents::sandbox_limits`], idleness by
//! [`crate::agents::sandbox_idle`]; the runtime only runs things.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

use futures::lock::{Mutex as AsyncMutex, OwnedMutexGuard};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    AuditAction, AuditEntry, Caller, DomainError, OrgId, SecretString, UserId,
    agents::sandbox::{
        RuntimeRecord, Sandbox, SandboxOrigin, SandboxStatus, agent_secret_key_address, sandbox_name,
        session_key_address,
    },
    agents::sandbox_idle::{IdleFacts, is_idle},
    agents::sandbox_lifecycle::{
        ObservedWhen, RuntimeObservation, SandboxRequest, decide_observation, decide_request,
    },
    agents::sandbox_limits::{SandboxLimits, admit_start},
    agents::sandbox_spec::{SandboxSpec, SandboxSpecs},
    new_id,
    orgs::policy::{Permission, require},
    ports::{AGENT_SERVER, ExposedUrl, SandboxLaunch, SandboxRuntime, SupervisedSandbox},
    services::SandboxService,
};

/// How this install runs sandboxes.
pub struct SandboxRuntimeSetup {
    /// What starts and stops them.
    pub runtime: Arc<dyn SandboxRuntime>,
    /// The launch settings offered.
    pub specs: SandboxSpecs,
    /// Running sandboxes allowed per org and per member.
    pub limits: SandboxLimits,
    /// A running sandbox with no running conversation and no activity this long is paused.
    pub idle_timeout: Option<chrono::Duration>,
    /// Longest a start may take before the sandbox counts as failed.
    pub start_timeout: std::time::Duration,
}

/// What a member sends to have a sandbox started.
#[derive(Debug, Clone, Default)]
pub struct ProvisionInput {
    /// Label (a default one when absent).
    pub name: Option<String>,
    /// The spec to launch with (the default when absent).
    pub spec: Option<String>,
}

/// A sandbox as shown: its record and where it serves now.
#[derive(Debug, Clone)]
pub struct SandboxView {
    /// The record.
    pub sandbox: Sandbox,
    /// Where it serves (the agent server's URL first).
    pub exposed_urls: Vec<ExposedUrl>,
}

/// One lock per sandbox, so a member's pause, resume or delete and the supervisor's moves on one
/// sandbox happen one after the other in this process.
#[derive(Default)]
pub(crate) struct SandboxGuards(Mutex<HashMap<Uuid, Arc<AsyncMutex<()>>>>);

impl SandboxGuards {
    fn entry(&self, id: Uuid) -> Arc<AsyncMutex<()>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry(id)
            .or_default()
            .clone()
    }

    async fn hold(&self, id: Uuid) -> OwnedMutexGuard<()> {
        self.entry(id).lock_owned().await
    }

    fn try_hold(&self, id: Uuid) -> Option<OwnedMutexGuard<()>> {
        self.entry(id).try_lock_owned()
    }

    fn forget(&self, id: Uuid) {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&id);
    }
}

fn not_provisioned() -> DomainError {
    DomainError::conflict(
        "sandbox_not_provisioned",
        "This sandbox was registered by URL and runs elsewhere: Tenantry cannot pause or resume it.",
    )
}

fn no_runtime() -> DomainError {
    DomainError::conflict(
        "no_sandbox_runtime",
        "This server does not start sandboxes (sandboxes.runtime is \"none\"); register one with its url.",
    )
}

fn runtime_failed(failure: &crate::ports::RuntimeFailure) -> DomainError {
    DomainError::BadGateway {
        code: "sandbox_unavailable",
        detail: format!("The sandbox could not be started: {failure}."),
    }
}

/// A status move and what the audit log says of it (nothing for a start that came up: its start
/// was audited).
type Move = (SandboxStatus, Option<(AuditAction, Value)>);

impl SandboxService {
    fn setup(&self) -> Result<&SandboxRuntimeSetup, DomainError> {
        self.runtime.as_deref().ok_or_else(no_runtime)
    }

    /// Whether this install starts sandboxes itself.
    pub fn runs_sandboxes(&self) -> bool {
        self.runtime.is_some()
    }

    /// The sandbox specs offered (any member).
    pub async fn specs(&self, caller: &Caller, org: OrgId) -> Result<Vec<SandboxSpec>, DomainError> {
        crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await?;
        Ok(self
            .runtime
            .as_deref()
            .map(|setup| setup.specs.all().to_vec())
            .unwrap_or_default())
    }

    /// Starts a sandbox (developer+) within the org's and the member's limits (429
    /// `sandbox_limit` beyond, and nothing is started); its session key is returned this once. It
    /// is `STARTING` until its agent server answers.
    pub async fn provision(
        &self,
        caller: &Caller,
        org: OrgId,
        input: ProvisionInput,
    ) -> Result<(SandboxView, SecretString), DomainError> {
        let setup = self.setup()?;
        let role = crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await?;
        require(role, Permission::CreateConversations)?;
        let spec = setup.specs.choose(input.spec.as_deref())?;
        let id = new_id();
        let name = match &input.name {
            Some(name) => sandbox_name(name)?,
            None => format!("sandbox-{}", &id.simple().to_string()[..8]),
        };
        let key = self.ports.secret_tokens.generate();
        let agent_secret = self.ports.secret_tokens.generate();
        let now = self.ports.clock.now();
        let sandbox = Sandbox {
            id,
            org_id: org,
            created_by: caller.user.id,
            origin: SandboxOrigin::Provisioned,
            name,
            url: None,
            key_digest: self.ports.secret_tokens.digest(key.expose()),
            created_at: now,
            revoked_at: None,
            runtime: Some(RuntimeRecord {
                status: SandboxStatus::Starting,
                spec_id: spec.id.clone(),
                status_changed_at: now,
            }),
        };
        let sealed = [
            self.seal(session_key_address(org, id), &key)?,
            self.seal(agent_secret_key_address(org, id), &agent_secret)?,
        ];
        // Held before the record exists, so the supervisor never sees it before it is started.
        let _guard = self.guards.hold(id).await;
        let transaction = self.ports.unit_of_work.begin().await?;
        transaction.orgs().lock(org).await?;
        let rows = transaction.sandboxes();
        let running = rows.running_sandboxes(org, caller.user.id, None).await?;
        let own_limit = rows.sandbox_limit_of(org).await?;
        admit_start(running, setup.limits.for_org(own_limit))?;
        rows.insert_sandbox(&sandbox, &sealed).await?;
        transaction
            .audit()
            .record(&AuditEntry::new(
                org,
                now,
                Some(caller.user.id),
                AuditAction::SandboxStarted,
                ("sandbox", Some(id.to_string())),
                json!({ "name": sandbox.name, "spec": spec.id, "role": role.name() }),
            ))
            .await?;
        transaction.commit().await?;
        let sandbox = self.launch(setup, sandbox, key.clone(), agent_secret).await?;
        Ok((self.view_of(sandbox).await, key))
    }

    /// A sandbox the caller may see (its creator, or admin+; others 404), with where it serves.
    pub async fn view(&self, caller: &Caller, org: OrgId, id: Uuid) -> Result<SandboxView, DomainError> {
        let sandbox = self.manageable(caller, org, id).await?;
        let sandbox = self.came_up(sandbox).await?;
        Ok(self.view_of(sandbox).await)
    }

    /// A starting sandbox whose agent server answers now is recorded running at once, so a client
    /// polling for `RUNNING` need not wait for the supervisor's next pass.
    async fn came_up(&self, sandbox: Sandbox) -> Result<Sandbox, DomainError> {
        let starting = sandbox
            .runtime
            .as_ref()
            .is_some_and(|record| record.status == SandboxStatus::Starting);
        let Some(setup) = self.runtime.as_deref().filter(|_| starting) else {
            return Ok(sandbox);
        };
        let Some(_guard) = self.guards.try_hold(sandbox.id) else {
            return Ok(sandbox);
        };
        if setup.runtime.observe(sandbox.id).await != RuntimeObservation::Answering {
            return Ok(sandbox);
        }
        let moved = self
            .move_sandbox(&sandbox, None, false, |record| {
                Ok((record.status == SandboxStatus::Starting).then_some((SandboxStatus::Running, None)))
            })
            .await?;
        Ok(moved.unwrap_or(sandbox))
    }

    /// The caller's sandboxes in the org (every one for admins+), with where they serve.
    pub async fn views(&self, caller: &Caller, org: OrgId) -> Result<Vec<SandboxView>, DomainError> {
        let mut views = Vec::new();
        for sandbox in self.list(caller, org).await? {
            let sandbox = self.came_up(sandbox).await?;
            views.push(self.view_of(sandbox).await);
        }
        Ok(views)
    }

    /// Sandboxes of the org by id, in the order asked, each `None` when it is missing or not the
    /// caller's to see (its creator, or admin+).
    pub async fn views_by_id(
        &self,
        caller: &Caller,
        org: OrgId,
        ids: &[Uuid],
    ) -> Result<Vec<Option<SandboxView>>, DomainError> {
        let role = crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await?;
        let admin = require(role, Permission::ManageMembers).is_ok();
        let mut views = Vec::with_capacity(ids.len());
        for id in ids {
            let visible = self
                .ports
                .sandboxes
                .get(org, *id)
                .await?
                .filter(|sandbox| admin || sandbox.created_by == caller.user.id);
            views.push(match visible {
                Some(sandbox) => Some(self.view_of(self.came_up(sandbox).await?).await),
                None => None,
            });
        }
        Ok(views)
    }

    /// The sandbox's session key, when it is shown to the caller
    /// ([`crate::agents::sandbox_access::reveals_session_key`]): OpenHands clients talk to the agent
    /// server with it.
    pub async fn session_key_for(
        &self,
        caller: &Caller,
        sandbox: &Sandbox,
    ) -> Result<Option<SecretString>, DomainError> {
        if !crate::agents::sandbox_access::reveals_session_key(sandbox, caller.user.id) {
            return Ok(None);
        }
        let address = session_key_address(sandbox.org_id, sandbox.id);
        match self.ports.secrets.get(&address).await? {
            Some(sealed) => Ok(Some(self.ports.cipher.open(&sealed, &address.associated_data())?)),
            None => Ok(None),
        }
    }

    /// Pauses a sandbox Tenantry runs (its creator or admin+): its agent server stops, its
    /// workspace stays.
    pub async fn pause(&self, caller: &Caller, org: OrgId, id: Uuid) -> Result<SandboxView, DomainError> {
        let sandbox = self.manageable(caller, org, id).await?;
        if sandbox.runtime.is_none() {
            return Err(not_provisioned());
        }
        let setup = self.setup()?;
        let _guard = self.guards.hold(id).await;
        let moved = self
            .move_sandbox(&sandbox, Some(caller.user.id), false, |record| {
                Ok(
                    decide_request(record.status, SandboxRequest::Pause)?.map(|status| {
                        (
                            status,
                            Some((AuditAction::SandboxPaused, json!({ "reason": "requested" }))),
                        )
                    }),
                )
            })
            .await?;
        setup
            .runtime
            .stop(id)
            .await
            .map_err(|failure| runtime_failed(&failure))?;
        Ok(self.view_of(moved.unwrap_or(sandbox)).await)
    }

    /// Starts a paused, failed or missing sandbox again on its workspace (its creator or admin+),
    /// within the limits (429 `sandbox_limit`); a live one is left as it is.
    pub async fn resume(&self, caller: &Caller, org: OrgId, id: Uuid) -> Result<SandboxView, DomainError> {
        let sandbox = self.manageable(caller, org, id).await?;
        if sandbox.runtime.is_none() {
            return Err(not_provisioned());
        }
        let setup = self.setup()?;
        let _guard = self.guards.hold(id).await;
        let sandbox = self.resume_held(setup, &sandbox, Some(caller.user.id)).await?;
        Ok(self.view_of(sandbox).await)
    }

    /// Makes sure a sandbox Tenantry runs answers before a conversation is started or steered on
    /// it: a paused or failed one is resumed, a starting one awaited (up to the start timeout;
    /// 502 `sandbox_unavailable` when it does not come up). Registered sandboxes pass as they are.
    pub(crate) async fn ensure_running(&self, caller: &Caller, sandbox: &Sandbox) -> Result<(), DomainError> {
        let (Some(setup), Some(_)) = (self.runtime.as_deref(), &sandbox.runtime) else {
            return Ok(());
        };
        let _guard = self.guards.hold(sandbox.id).await;
        let sandbox = self.resume_held(setup, sandbox, Some(caller.user.id)).await?;
        let status = sandbox.runtime.as_ref().map(|record| record.status);
        if status == Some(SandboxStatus::Running) {
            return Ok(());
        }
        match setup
            .runtime
            .await_answering(sandbox.id, setup.start_timeout)
            .await
        {
            RuntimeObservation::Answering => {
                self.move_sandbox(&sandbox, None, false, |record| {
                    Ok((record.status == SandboxStatus::Starting).then_some((SandboxStatus::Running, None)))
                })
                .await?;
                Ok(())
            }
            _ => Err(DomainError::BadGateway {
                code: "sandbox_unavailable",
                detail: "The sandbox's agent server did not come up in time; try again shortly.".into(),
            }),
        }
    }

    /// Resumes `sandbox` when it is stopped, with its guard held; the sandbox as it is then.
    async fn resume_held(
        &self,
        setup: &SandboxRuntimeSetup,
        sandbox: &Sandbox,
        actor: Option<UserId>,
    ) -> Result<Sandbox, DomainError> {
        let moved = self
            .move_sandbox(sandbox, actor, true, |record| {
                Ok(
                    decide_request(record.status, SandboxRequest::Resume)?.map(|status| {
                        (
                            status,
                            Some((
                                AuditAction::SandboxResumed,
                                json!({ "from": record.status.name() }),
                            )),
                        )
                    }),
                )
            })
            .await?;
        let Some(moved) = moved else {
            return Ok(sandbox.clone());
        };
        let (key, agent_secret) = self.launch_keys(&moved).await?;
        self.launch(setup, moved, key, agent_secret).await
    }

    /// Starts the runtime of a `STARTING` sandbox; a failure marks it `ERROR` (and is audited).
    async fn launch(
        &self,
        setup: &SandboxRuntimeSetup,
        sandbox: Sandbox,
        session_key: SecretString,
        agent_secret_key: SecretString,
    ) -> Result<Sandbox, DomainError> {
        let spec_id = sandbox.runtime.as_ref().map(|record| record.spec_id.clone());
        let spec = spec_id.as_deref().and_then(|id| setup.specs.get(id)).cloned();
        let started = match spec {
            Some(spec) => setup
                .runtime
                .start(&SandboxLaunch {
                    sandbox_id: sandbox.id,
                    spec,
                    session_key,
                    agent_secret_key,
                    webhook_base_url: self.webhook_base_url(),
                })
                .await
                .map_err(|failure| failure.0),
            None => Err(format!("its spec {spec_id:?} is no longer offered")),
        };
        match started {
            Ok(_) => Ok(sandbox),
            Err(reason) => {
                let failed = self
                    .move_sandbox(&sandbox, None, false, |record| {
                        Ok((record.status == SandboxStatus::Starting).then(|| {
                            (
                                SandboxStatus::Error,
                                Some((AuditAction::SandboxFailed, json!({ "reason": reason }))),
                            )
                        }))
                    })
                    .await?;
                Ok(failed.unwrap_or(sandbox))
            }
        }
    }

    /// The session key and agent secret key of a sandbox Tenantry runs, opened in memory.
    async fn launch_keys(&self, sandbox: &Sandbox) -> Result<(SecretString, SecretString), DomainError> {
        let open = |address: crate::secrets::stored_secret::SecretAddress| async move {
            let sealed = self
                .ports
                .secrets
                .get(&address)
                .await?
                .ok_or_else(|| DomainError::Internal("sandbox without a sealed key".into()))?;
            self.ports.cipher.open(&sealed, &address.associated_data())
        };
        Ok((
            open(session_key_address(sandbox.org_id, sandbox.id)).await?,
            open(agent_secret_key_address(sandbox.org_id, sandbox.id)).await?,
        ))
    }

    fn seal(
        &self,
        address: crate::secrets::stored_secret::SecretAddress,
        value: &SecretString,
    ) -> Result<
        (
            crate::secrets::stored_secret::SecretAddress,
            crate::secrets::stored_secret::Sealed,
        ),
        DomainError,
    > {
        let sealed = self
            .ports
            .cipher
            .seal(value.expose().as_bytes(), &address.associated_data())?;
        Ok((address, sealed))
    }

    /// Moves a sandbox Tenantry runs as `decide` says, given its record read under lock: the new
    /// status and its audit entry commit together. With `admit`, the org is locked first and a move
    /// into a running state must fit the limits. `None` when `decide` moved nothing.
    async fn move_sandbox<F>(
        &self,
        sandbox: &Sandbox,
        actor: Option<UserId>,
        admit: bool,
        decide: F,
    ) -> Result<Option<Sandbox>, DomainError>
    where
        F: FnOnce(&RuntimeRecord) -> Result<Option<Move>, DomainError> + Send,
    {
        let (org, id) = (sandbox.org_id, sandbox.id);
        let transaction = self.ports.unit_of_work.begin().await?;
        if admit {
            transaction.orgs().lock(org).await?;
        }
        let rows = transaction.sandboxes();
        let mut current = rows.lock_sandbox(org, id).await?.ok_or(DomainError::NotFound)?;
        let record = current.runtime.clone().ok_or_else(not_provisioned)?;
        let Some((status, audit)) = decide(&record)? else {
            return Ok(None);
        };
        if admit && status.holds_slot() && !record.status.holds_slot() {
            let limits = self.setup()?.limits;
            let running = rows.running_sandboxes(org, current.created_by, Some(id)).await?;
            admit_start(running, limits.for_org(rows.sandbox_limit_of(org).await?))?;
        }
        let now = self.ports.clock.now();
        rows.set_sandbox_status(id, status, now).await?;
        if let Some((action, detail)) = audit {
            transaction
                .audit()
                .record(&AuditEntry::new(
                    org,
                    now,
                    actor,
                    action,
                    ("sandbox", Some(id.to_string())),
                    detail,
                ))
                .await?;
        }
        transaction.commit().await?;
        current.runtime = Some(RuntimeRecord {
            status,
            status_changed_at: now,
            ..record
        });
        Ok(Some(current))
    }

    /// A live sandbox of the org the caller may manage: its creator, or admin+ (others 404).
    async fn manageable(&self, caller: &Caller, org: OrgId, id: Uuid) -> Result<Sandbox, DomainError> {
        let role = crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await?;
        let sandbox = self
            .ports
            .sandboxes
            .get(org, id)
            .await?
            .ok_or(DomainError::NotFound)?;
        if sandbox.created_by != caller.user.id && require(role, Permission::ManageMembers).is_err() {
            return Err(DomainError::NotFound);
        }
        Ok(sandbox)
    }

    /// The sandbox with where it serves: what the runtime exposes of one Tenantry runs (nothing
    /// while it does not run), a registered one's URL.
    pub async fn view_of(&self, sandbox: Sandbox) -> SandboxView {
        let exposed_urls = match (&sandbox.runtime, self.runtime.as_deref()) {
            (Some(_), Some(setup)) => setup.runtime.exposed_urls(sandbox.id).await,
            (Some(_), None) => Vec::new(),
            (None, _) => sandbox
                .url
                .iter()
                .filter_map(|url| {
                    let parsed = url::Url::parse(url).ok()?;
                    Some(ExposedUrl {
                        name: AGENT_SERVER.into(),
                        url: url.clone(),
                        port: parsed.port_or_known_default()?,
                    })
                })
                .collect(),
        };
        SandboxView {
            sandbox,
            exposed_urls,
        }
    }

    /// Stops and removes the runtime of a deleted sandbox Tenantry ran.
    pub(crate) async fn remove_runtime(&self, id: Uuid) {
        if let Some(setup) = self.runtime.as_deref() {
            let _guard = self.guards.hold(id).await;
            // On failure the supervisor removes it on its next pass: no live record claims it.
            let _ = setup.runtime.remove(id).await;
            drop(_guard);
            self.guards.forget(id);
        }
    }

    /// One pass of supervision: what the runtime holds that no live record claims (deleted
    /// sandboxes, removed members', deleted orgs') is stopped and removed; each started sandbox's
    /// observed state is recorded ([`decide_observation`]); an idle one is paused ([`is_idle`]);
    /// a paused or failed one that still runs is stopped. `when` is [`ObservedWhen::AtStart`] for
    /// the first pass after Tenantry starts. Sandboxes a member is acting on are left to the next
    /// pass. Returns how many sandboxes changed.
    pub async fn supervise(&self, when: ObservedWhen) -> Result<usize, DomainError> {
        let Some(setup) = self.runtime.as_deref() else {
            return Ok(0);
        };
        let held = setup
            .runtime
            .list()
            .await
            .map_err(|failure| DomainError::Unavailable(failure.to_string()))?;
        let records = self.ports.sandboxes.supervised().await?;
        let live: HashSet<Uuid> = records.iter().map(|record| record.sandbox.id).collect();
        let mut changed = 0;
        for orphan in held.into_iter().filter(|id| !live.contains(id)) {
            let Some(_guard) = self.guards.try_hold(orphan) else {
                continue;
            };
            if setup.runtime.remove(orphan).await.is_ok() {
                changed += 1;
            }
        }
        for record in records {
            let Some(_guard) = self.guards.try_hold(record.sandbox.id) else {
                continue;
            };
            if self.supervise_one(setup, &record, when).await? {
                changed += 1;
            }
        }
        Ok(changed)
    }

    async fn supervise_one(
        &self,
        setup: &SandboxRuntimeSetup,
        supervised: &SupervisedSandbox,
        when: ObservedWhen,
    ) -> Result<bool, DomainError> {
        let sandbox = &supervised.sandbox;
        let Some(record) = &sandbox.runtime else {
            return Ok(false);
        };
        let seen = setup.runtime.observe(sandbox.id).await;
        if !record.status.holds_slot() {
            if seen != RuntimeObservation::Gone {
                let _ = setup.runtime.stop(sandbox.id).await;
                return Ok(true);
            }
            return Ok(false);
        }
        let now = self.ports.clock.now();
        let start_timeout = chrono::Duration::from_std(setup.start_timeout).unwrap_or(chrono::Duration::MAX);
        if let Some(next) = decide_observation(
            record.status,
            record.status_changed_at,
            seen,
            when,
            now,
            start_timeout,
        ) {
            let was = record.status;
            let moved = self
                .move_sandbox(sandbox, None, false, |current| {
                    Ok((current.status == was).then(|| {
                        let audit = (next != SandboxStatus::Running).then(|| {
                            (
                                AuditAction::SandboxFailed,
                                json!({ "from": was.name(), "observed": observed_name(seen) }),
                            )
                        });
                        (next, audit)
                    }))
                })
                .await?;
            if next == SandboxStatus::Error && seen != RuntimeObservation::Gone {
                let _ = setup.runtime.stop(sandbox.id).await;
            }
            return Ok(moved.is_some());
        }
        let facts = IdleFacts {
            status: record.status,
            status_changed_at: record.status_changed_at,
            last_conversation_activity: supervised.last_conversation_activity,
            running_conversations: supervised.running_conversations,
        };
        if is_idle(facts, now, setup.idle_timeout) {
            let moved = self
                .move_sandbox(sandbox, None, false, |current| {
                    Ok((current.status == SandboxStatus::Running).then(|| {
                        (
                            SandboxStatus::Paused,
                            Some((AuditAction::SandboxPaused, json!({ "reason": "idle" }))),
                        )
                    }))
                })
                .await?;
            if moved.is_some() {
                let _ = setup.runtime.stop(sandbox.id).await;
                return Ok(true);
            }
        }
        Ok(false)
    }
}

fn observed_name(seen: RuntimeObservation) -> &'static str {
    match seen {
        RuntimeObservation::Answering => "answering",
        RuntimeObservation::Silent => "silent",
        RuntimeObservation::Gone => "gone",
    }
}

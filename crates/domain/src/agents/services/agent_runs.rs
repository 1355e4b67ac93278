//! Conversations run on agent servers Tenantry drives: started with the caller's effective settings
//! in the org, steered with messages, paused, resumed and deleted.

use std::sync::Arc;

use uuid::Uuid;

use crate::{
    Caller, Conversation, ConversationId, DomainError, OrgId, Visibility,
    agents::agent_launch::{Launch, MAX_MESSAGE_CHARS, SecretLookup},
    agents::llm_key_release::trusted_with_org_key,
    clock::Clock,
    conversations::conversation::NewConversation,
    new_id,
    orgs::policy::{Permission, require},
    ports::{
        AgentServer, AgentServerFailure, ConversationStartPolicy, Orgs, PendingRemoteDeletion,
        RemoteDeletionQueue, SecretStore,
    },
    services::{ConversationService, SandboxService, SettingsService},
};

/// The adapters agent runs need.
#[derive(Clone)]
pub struct AgentRunPorts {
    /// The agent servers' REST API.
    pub agents: Arc<dyn AgentServer>,
    /// Budgets and quotas, consulted before an agent starts or continues.
    pub policy: Arc<dyn ConversationStartPolicy>,
    /// Names of the secrets offered to the sandbox.
    pub secrets: Arc<dyn SecretStore>,
    /// Memberships.
    pub orgs: Arc<dyn Orgs>,
    /// Deletions the agent servers still owe.
    pub remote_deletions: Arc<dyn RemoteDeletionQueue>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

/// What a member sends to start a conversation on a sandbox.
#[derive(Debug, Clone, Default)]
pub struct StartInput {
    /// The sandbox (one of the caller's, with a `url`).
    pub sandbox_id: Uuid,
    /// The first user message (the agent runs on it); none: the conversation waits for one.
    pub initial_message: Option<String>,
    /// Whether the agent runs on it (else the conversation waits).
    pub run_initial_message: bool,
    /// Title.
    pub title: Option<String>,
    /// Repository.
    pub selected_repository: Option<String>,
    /// Branch.
    pub selected_branch: Option<String>,
    /// Who may read it (default private).
    pub visibility: Option<Visibility>,
}

/// The agent-run use cases.
#[derive(Clone)]
pub struct AgentRunService {
    ports: AgentRunPorts,
    conversations: ConversationService,
    settings: SettingsService,
    sandboxes: SandboxService,
    working_dir: Arc<str>,
}

fn failure(error: AgentServerFailure) -> DomainError {
    match error {
        AgentServerFailure::Unavailable => DomainError::BadGateway {
            code: "sandbox_unavailable",
            detail: "The sandbox's agent server could not be reached or failed; nothing was recorded.".into(),
        },
        AgentServerFailure::Rejected { status } => DomainError::BadGateway {
            code: "sandbox_rejected",
            detail: format!(
                "The sandbox's agent server refused the request ({status}); nothing was recorded."
            ),
        },
        AgentServerFailure::Refused(refusal) => crate::agents::services::sandboxes::url_refused(&refusal),
    }
}

/// A message that also runs the agent.
fn message_text(field: &str, text: &str) -> Result<(), DomainError> {
    if text.trim().is_empty() || text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(DomainError::invalid(field, "must be 1 to 100000 characters"));
    }
    Ok(())
}

impl AgentRunService {
    /// The use cases over the given adapters and services; `working_dir` is the agent's working
    /// directory inside every sandbox.
    pub fn new(
        ports: AgentRunPorts,
        conversations: ConversationService,
        settings: SettingsService,
        sandboxes: SandboxService,
        working_dir: &str,
    ) -> Self {
        Self {
            ports,
            conversations,
            settings,
            sandboxes,
            working_dir: working_dir.into(),
        }
    }

    /// Starts a conversation on one of the caller's sandboxes (developer+) with the caller's
    /// effective settings in the org; the secrets are offered by name, for the sandbox to look up.
    /// Nothing is recorded when the agent server fails.
    pub async fn start(
        &self,
        caller: &Caller,
        org: OrgId,
        input: StartInput,
    ) -> Result<Conversation, DomainError> {
        let role = crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await?;
        require(role, Permission::CreateConversations)?;
        if let Some(text) = &input.initial_message {
            message_text("initial_message", text)?;
        }
        let metadata = crate::conversations::services::conversations::NewConversationInput {
            title: input.title.clone(),
            selected_repository: input.selected_repository.clone(),
            selected_branch: input.selected_branch.clone(),
            ..Default::default()
        }
        .checked()?;
        let (sandbox, key) = self.sandboxes.with_key(org, input.sandbox_id).await?;
        if sandbox.created_by != caller.user.id {
            return Err(DomainError::NotFound);
        }
        self.sandboxes.ensure_running(caller, &sandbox).await?;
        let url = self.sandboxes.agent_url(&sandbox).await?.ok_or_else(|| {
            DomainError::invalid("sandbox_id", "the sandbox has no url to start conversations on")
        })?;
        // The caller is the sandbox's creator: their role now is the creator's.
        let trusted = trusted_with_org_key(sandbox.origin, Some(role), true);
        self.ports.policy.check(org, caller.user.id, None).await?;
        let conversation_id = new_id();
        let mut names: Vec<String> = self
            .ports
            .secrets
            .list(org, caller.user.id)
            .await?
            .into_iter()
            .map(|meta| meta.name.as_str().to_owned())
            .collect();
        names.sort();
        names.dedup();
        let launch = Launch {
            conversation_id,
            settings: self.settings.launch_settings(caller, org, trusted).await?,
            initial_message: input.initial_message.clone(),
            run_initial_message: input.run_initial_message,
            secrets: names
                .into_iter()
                .map(|name| SecretLookup {
                    url: format!(
                        "{}/secrets/{conversation_id}/{name}",
                        self.sandboxes.webhook_base_url()
                    ),
                    name,
                })
                .collect(),
            sandbox_key: key.clone(),
            working_dir: self.working_dir.to_string(),
        };
        let model = launch.settings.llm_model.clone();
        self.ports
            .agents
            .start_conversation(&url, &key, &launch)
            .await
            .map_err(failure)?;
        let now = self.ports.clock.now();
        let conversation = Conversation::begin(NewConversation {
            id: conversation_id,
            org_id: org,
            created_by: caller.user.id,
            title: metadata.title,
            selected_repository: metadata.selected_repository,
            selected_branch: metadata.selected_branch,
            git_provider: None,
            trigger: Some("api".into()),
            llm_model: model,
            visibility: input.visibility.unwrap_or(Visibility::Private),
            sandbox_id: Some(sandbox.id),
            execution_status: Some(crate::conversations::execution_status::ExecutionStatus::idle()),
            at: now,
        });
        self.sandboxes.record_started(&sandbox, &conversation).await?;
        self.conversations.get(caller, org, conversation_id).await
    }

    /// Sends a user message and runs the agent (the creator or admin+).
    pub async fn message(
        &self,
        caller: &Caller,
        org: OrgId,
        id: ConversationId,
        text: &str,
    ) -> Result<(), DomainError> {
        message_text("text", text)?;
        let (url, key) = self.target(caller, org, id).await?;
        self.ports.policy.check(org, caller.user.id, Some(id)).await?;
        self.ports
            .agents
            .send_message(&url, &key, id, text)
            .await
            .map_err(failure)
    }

    /// Pauses the agent (the creator or admin+).
    pub async fn pause(&self, caller: &Caller, org: OrgId, id: ConversationId) -> Result<(), DomainError> {
        let (url, key) = self.target(caller, org, id).await?;
        self.ports.agents.pause(&url, &key, id).await.map_err(failure)
    }

    /// Runs the agent again after a pause (the creator or admin+).
    pub async fn resume(&self, caller: &Caller, org: OrgId, id: ConversationId) -> Result<(), DomainError> {
        let (url, key) = self.target(caller, org, id).await?;
        self.ports.policy.check(org, caller.user.id, Some(id)).await?;
        self.ports.agents.run(&url, &key, id).await.map_err(failure)
    }

    /// Deletes the conversation, on its agent server too when it has one. A sandbox that is down
    /// does not keep the conversation alive here: the remote deletion is recorded and retried by
    /// [`AgentRunService::retry_remote_deletions`].
    pub async fn delete(&self, caller: &Caller, org: OrgId, id: ConversationId) -> Result<(), DomainError> {
        let conversation = self.conversations.manageable(caller, org, id).await?;
        self.conversations.delete(caller, org, id).await?;
        if let Some(sandbox_id) = conversation.sandbox_id {
            let deletion = PendingRemoteDeletion {
                conversation_id: id,
                org_id: org,
                sandbox_id,
            };
            if !self.delete_remotely(deletion).await? {
                self.ports
                    .remote_deletions
                    .record(deletion, self.ports.clock.now())
                    .await?;
            }
        }
        Ok(())
    }

    /// Tries the recorded remote deletions again; returns how many are now done.
    pub async fn retry_remote_deletions(&self) -> Result<usize, DomainError> {
        let mut done = 0;
        for deletion in self.ports.remote_deletions.pending(100).await? {
            if self.delete_remotely(deletion).await? {
                self.ports.remote_deletions.done(deletion.conversation_id).await?;
                done += 1;
            }
        }
        Ok(done)
    }

    /// Whether the agent server no longer has the conversation (deleted now, already gone, or its
    /// sandbox deleted or without an agent server Tenantry drives).
    async fn delete_remotely(&self, deletion: PendingRemoteDeletion) -> Result<bool, DomainError> {
        let (sandbox, key) = match self
            .sandboxes
            .with_key(deletion.org_id, deletion.sandbox_id)
            .await
        {
            Ok(found) => found,
            Err(DomainError::NotFound) => return Ok(true),
            Err(other) => return Err(other),
        };
        let url = match self.sandboxes.agent_url(&sandbox).await {
            Ok(Some(url)) => url,
            // A paused sandbox keeps the conversation in its workspace: kept pending until it
            // runs again, or its workspace is removed with it.
            Ok(None) if sandbox.runtime.is_some() => return Ok(false),
            Ok(None) => return Ok(true),
            // Kept pending: the operator may open the policy again.
            Err(_) => return Ok(false),
        };
        Ok(matches!(
            self.ports
                .agents
                .delete_conversation(&url, &key, deletion.conversation_id)
                .await,
            Ok(()) | Err(AgentServerFailure::Rejected { status: 404 })
        ))
    }

    /// The agent server running a conversation the caller may steer, and its key.
    async fn target(
        &self,
        caller: &Caller,
        org: OrgId,
        id: ConversationId,
    ) -> Result<(String, crate::SecretString), DomainError> {
        let conversation = self.conversations.manageable(caller, org, id).await?;
        let no_agent = || {
            DomainError::conflict(
                "no_agent_server",
                "This conversation does not run on an agent server Tenantry drives.",
            )
        };
        let sandbox = conversation.sandbox_id.ok_or_else(no_agent)?;
        let (sandbox, key) = self
            .sandboxes
            .with_key(org, sandbox)
            .await
            .map_err(|error| match error {
                DomainError::NotFound => no_agent(),
                other => other,
            })?;
        self.sandboxes.ensure_running(caller, &sandbox).await?;
        let url = self.sandboxes.agent_url(&sandbox).await?.ok_or_else(no_agent)?;
        Ok((url, key))
    }
}

//! Conversations started the way OpenHands clients start them: a task answered at once, which
//! then finds or starts the sandbox, waits for it and starts the conversation on it
//! ([`crate::conversations::start_task`]).

use std::sync::Arc;

use serde_json::Value;
use uuid::Uuid;

use crate::{
    Caller, DomainError, OrgId, Visibility,
    clock::Clock,
    conversations::start_task::{StartRequest, StartTask, StartTaskStatus},
    new_id,
    orgs::policy::{Permission, require},
    ports::{BackgroundTasks, Orgs, StartTaskFilter, StartTaskStore},
    services::{AgentRunService, ProvisionInput, SandboxService, agent_runs::StartInput},
};

/// The adapters start tasks need.
#[derive(Clone)]
pub struct ConversationStartPorts {
    /// The tasks.
    pub tasks: Arc<dyn StartTaskStore>,
    /// Memberships.
    pub orgs: Arc<dyn Orgs>,
    /// Runs a task after its request is answered.
    pub background: Arc<dyn BackgroundTasks>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

/// The start-task use cases.
#[derive(Clone)]
pub struct ConversationStartService {
    ports: ConversationStartPorts,
    agent_runs: AgentRunService,
    sandboxes: SandboxService,
}

/// What a failed start says, for a human (never a secret).
fn detail_of(error: &DomainError) -> String {
    match error {
        DomainError::BadGateway { detail, .. }
        | DomainError::Conflict { detail, .. }
        | DomainError::LimitReached { detail, .. } => detail.clone(),
        DomainError::Validation(errors) => errors
            .iter()
            .map(|error| format!("{}: {}", error.field, error.message))
            .collect::<Vec<_>>()
            .join("; "),
        DomainError::NotFound => "The sandbox was not found.".into(),
        other => other.to_string(),
    }
}

impl ConversationStartService {
    /// The use cases over the given adapters and services.
    pub fn new(
        ports: ConversationStartPorts,
        agent_runs: AgentRunService,
        sandboxes: SandboxService,
    ) -> Self {
        Self {
            ports,
            agent_runs,
            sandboxes,
        }
    }

    /// Accepts a start (developer+): the task is stored `WORKING` and answered; the work goes on
    /// after the answer. `echo` is the request as the client sent it, kept with the task.
    pub async fn start(
        &self,
        caller: &Caller,
        org: OrgId,
        request: StartRequest,
        echo: Value,
    ) -> Result<StartTask, DomainError> {
        let role = crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await?;
        require(role, Permission::CreateConversations)?;
        let request = request.checked()?;
        let now = self.ports.clock.now();
        let task = StartTask {
            id: new_id(),
            org_id: org,
            created_by: caller.user.id,
            status: StartTaskStatus::Working,
            detail: None,
            conversation_id: None,
            sandbox_id: request.sandbox_id,
            request: echo,
            created_at: now,
            updated_at: now,
        };
        self.ports.tasks.insert(&task).await?;
        let (this, caller, running) = (self.clone(), caller.clone(), task.clone());
        self.ports.background.spawn(
            "conversation start",
            Box::pin(async move { this.carry_out(caller, running, request).await }),
        );
        Ok(task)
    }

    /// Carries a task to `READY` or `ERROR`, recording each step.
    async fn carry_out(
        &self,
        caller: Caller,
        mut task: StartTask,
        request: StartRequest,
    ) -> Result<(), DomainError> {
        let outcome = self.steps(&caller, &mut task, &request).await;
        match outcome {
            Ok(()) => self.moved(&mut task, StartTaskStatus::Ready).await,
            Err(error) => {
                task.detail = Some(detail_of(&error));
                self.moved(&mut task, StartTaskStatus::Error).await
            }
        }
    }

    async fn steps(
        &self,
        caller: &Caller,
        task: &mut StartTask,
        request: &StartRequest,
    ) -> Result<(), DomainError> {
        let org = task.org_id;
        self.moved(task, StartTaskStatus::WaitingForSandbox).await?;
        let sandbox = match request.sandbox_id {
            Some(sandbox) => sandbox,
            None => {
                let (view, _) = self
                    .sandboxes
                    .provision(caller, org, ProvisionInput::default())
                    .await?;
                view.sandbox.id
            }
        };
        task.sandbox_id = Some(sandbox);
        self.moved(task, StartTaskStatus::StartingConversation).await?;
        let conversation = self
            .agent_runs
            .start(
                caller,
                org,
                StartInput {
                    sandbox_id: sandbox,
                    initial_message: request.initial_message.clone(),
                    run_initial_message: request.run,
                    title: request.title.clone(),
                    selected_repository: request.selected_repository.clone(),
                    selected_branch: request.selected_branch.clone(),
                    visibility: Some(if request.public {
                        Visibility::Org
                    } else {
                        Visibility::Private
                    }),
                },
            )
            .await?;
        task.conversation_id = Some(conversation.id);
        Ok(())
    }

    async fn moved(&self, task: &mut StartTask, status: StartTaskStatus) -> Result<(), DomainError> {
        task.status = status;
        task.updated_at = self.ports.clock.now();
        self.ports.tasks.update(task).await
    }

    /// The caller's tasks with these ids, in the order asked; `None` for one that is missing or
    /// someone else's.
    pub async fn tasks(
        &self,
        caller: &Caller,
        org: OrgId,
        ids: &[Uuid],
    ) -> Result<Vec<Option<StartTask>>, DomainError> {
        crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await?;
        let found = self.ports.tasks.get_many(org, ids).await?;
        Ok(ids
            .iter()
            .map(|id| {
                found
                    .iter()
                    .find(|task| task.id == *id && task.created_by == caller.user.id)
                    .cloned()
            })
            .collect())
    }

    /// A page of the caller's tasks in the org.
    pub async fn search(
        &self,
        caller: &Caller,
        org: OrgId,
        filter: StartTaskFilter,
        oldest_first: bool,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<StartTask>, DomainError> {
        crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await?;
        let filter = StartTaskFilter {
            org,
            creator: caller.user.id,
            ..filter
        };
        self.ports
            .tasks
            .search(&filter, oldest_first, offset, limit)
            .await
    }

    /// How many of the caller's tasks in the org match.
    pub async fn count(
        &self,
        caller: &Caller,
        org: OrgId,
        filter: StartTaskFilter,
    ) -> Result<u64, DomainError> {
        crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await?;
        let filter = StartTaskFilter {
            org,
            creator: caller.user.id,
            ..filter
        };
        self.ports.tasks.count(&filter).await
    }
}

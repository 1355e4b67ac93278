use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::{
    Caller, Conversation, ConversationId, DomainError, FieldError, OrgId, UserId, Visibility,
    conversations::event_ids,
    conversations::services::conversations::{
        ConversationService,
        metadata::{MAX_LABEL, MAX_TITLE, pull_request_numbers, text},
    },
    orgs::policy::{Permission, require},
    porting::import::{ImportStart, ImportedConversation, import_start},
    ports::{AppendedRange, Signal},
};

impl ConversationService {
    /// Creates an imported conversation under its source id, created by `creator` (a member),
    /// or finds it from an earlier run (developer+). Says where its events go on.
    pub async fn import_conversation(
        &self,
        caller: &Caller,
        org: OrgId,
        imported: ImportedConversation,
        creator: UserId,
    ) -> Result<ImportStart, DomainError> {
        require(self.role_in(caller, org).await?, Permission::CreateConversations)?;
        let existing = self.ports.conversations.get(org, imported.id).await?;
        let start = import_start(existing.as_ref(), org);
        if start != ImportStart::Create {
            return Ok(start);
        }
        pull_request_numbers(&imported.pr_number)?;
        let negative = [
            imported.accumulated_cost,
            imported.prompt_tokens,
            imported.completion_tokens,
            imported.total_tokens,
        ]
        .iter()
        .any(|n| *n < 0);
        if negative {
            return Err(DomainError::invalid("usage", "must not be negative"));
        }
        let mut errors = Vec::new();
        let conversation = Conversation {
            id: imported.id,
            org_id: org,
            created_by: creator,
            title: text("title", imported.title, MAX_TITLE, &mut errors),
            selected_repository: text(
                "selected_repository",
                imported.selected_repository,
                MAX_LABEL,
                &mut errors,
            ),
            selected_branch: text(
                "selected_branch",
                imported.selected_branch,
                MAX_LABEL,
                &mut errors,
            ),
            git_provider: text("git_provider", imported.git_provider, MAX_LABEL, &mut errors),
            trigger: text("trigger", imported.trigger, MAX_LABEL, &mut errors),
            llm_model: text("llm_model", imported.llm_model, MAX_LABEL, &mut errors),
            visibility: imported.visibility.unwrap_or(Visibility::Private),
            pr_number: imported.pr_number,
            accumulated_cost: imported.accumulated_cost,
            prompt_tokens: imported.prompt_tokens,
            completion_tokens: imported.completion_tokens,
            total_tokens: imported.total_tokens,
            event_count: 0,
            sandbox_id: None,
            execution_status: status(imported.execution_status, &mut errors),
            created_at: imported.created_at,
            last_updated_at: imported.last_updated_at,
            over_budget: false,
        };
        if !errors.is_empty() {
            return Err(DomainError::Validation(errors));
        }
        self.ports.conversations.create(&conversation).await?;
        Ok(ImportStart::Create)
    }

    /// Appends imported events stored at `at` to a conversation the caller imported, as ids
    /// `first_id…`: `Conflict` when the conversation moved on meanwhile (another import).
    pub async fn import_events(
        &self,
        caller: &Caller,
        org: OrgId,
        id: ConversationId,
        events: &[Value],
        at: DateTime<Utc>,
        first_id: i64,
    ) -> Result<AppendedRange, DomainError> {
        self.manageable(caller, org, id).await?;
        event_ids::write_then_record_at(self.append_ports(), org, id, events, at, first_id).await
    }

    /// Ends an import: the conversation's last activity is its source's again.
    pub async fn finish_import(
        &self,
        caller: &Caller,
        org: OrgId,
        id: ConversationId,
        last_updated_at: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        self.manageable(caller, org, id).await?;
        self.ports
            .conversations
            .restore_last_updated(org, id, last_updated_at)
            .await?;
        self.signal(Signal::ConversationChanged {
            org,
            conversation: id,
        })
        .await;
        Ok(())
    }
}

/// An imported execution status, when it is one; a field error otherwise (an empty one is none).
fn status(
    raw: Option<String>,
    errors: &mut Vec<FieldError>,
) -> Option<crate::conversations::execution_status::ExecutionStatus> {
    let raw = raw.filter(|raw| !raw.trim().is_empty())?;
    match crate::conversations::execution_status::ExecutionStatus::parse_field("execution_status", raw.trim())
    {
        Ok(status) => Some(status),
        Err(DomainError::Validation(found)) => {
            errors.extend(found);
            None
        }
        Err(_) => None,
    }
}

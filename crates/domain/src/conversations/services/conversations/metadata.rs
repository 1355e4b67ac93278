use crate::{
    Caller, Claimant, Conversation, ConversationId, DomainError, FieldError, OrgId, Role, UserId, Visibility,
    conversations::conversation::NewConversation,
    conversations::conversation_order::ConversationOrder,
    conversations::services::conversations::ConversationService,
    identity::session_confirmation::confirm_read,
    new_id,
    orgs::policy::{Permission, require},
    ports::{ConversationCursor, ConversationFilter, ConversationPatch, Signal, UsageReport},
};

/// What a client sends to create a conversation.
#[derive(Debug, Clone, Default)]
pub struct NewConversationInput {
    /// Title.
    pub title: Option<String>,
    /// Repository.
    pub selected_repository: Option<String>,
    /// Branch.
    pub selected_branch: Option<String>,
    /// Git provider.
    pub git_provider: Option<String>,
    /// Trigger.
    pub trigger: Option<String>,
    /// Model.
    pub llm_model: Option<String>,
    /// Visibility; private by default.
    pub visibility: Option<Visibility>,
}

impl NewConversationInput {
    /// The input with its text fields trimmed (blank ones dropped), each checked for length and
    /// control characters: every way of creating a conversation checks its metadata so.
    pub fn checked(self) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        let checked = Self {
            title: text("title", self.title, MAX_TITLE, &mut errors),
            selected_repository: text(
                "selected_repository",
                self.selected_repository,
                MAX_LABEL,
                &mut errors,
            ),
            selected_branch: text("selected_branch", self.selected_branch, MAX_LABEL, &mut errors),
            git_provider: text("git_provider", self.git_provider, MAX_LABEL, &mut errors),
            trigger: text("trigger", self.trigger, MAX_LABEL, &mut errors),
            llm_model: text("llm_model", self.llm_model, MAX_LABEL, &mut errors),
            visibility: self.visibility,
        };
        if errors.is_empty() {
            Ok(checked)
        } else {
            Err(DomainError::Validation(errors))
        }
    }
}

/// A list request.
#[derive(Debug, Clone, Default)]
pub struct ConversationListQuery {
    /// Title contains.
    pub q: Option<String>,
    /// Exact repository.
    pub repository: Option<String>,
    /// Only the caller's own.
    pub mine: bool,
    /// Exact execution status.
    pub execution_status: Option<String>,
    /// Only those run on this sandbox.
    pub sandbox: Option<uuid::Uuid>,
    /// Created within.
    pub created: crate::ports::TimeRange,
    /// Last changed within.
    pub updated: crate::ports::TimeRange,
    /// Continue after this point.
    pub after: Option<ConversationCursor>,
    /// Latest activity first (the default), or by creation: the order a full walk can trust.
    pub order: ConversationOrder,
    /// Page size.
    pub limit: u64,
}

/// A page of conversations.
#[derive(Debug, Clone)]
pub struct ConversationPage {
    /// The conversations.
    pub items: Vec<Conversation>,
    /// Where the next page starts, if there is one.
    pub next: Option<ConversationCursor>,
}

/// Longest title, in characters.
pub(super) const MAX_TITLE: usize = 500;
/// Longest repository, branch, provider, trigger or model name.
pub(super) const MAX_LABEL: usize = 255;

pub(super) fn text(
    field: &str,
    value: Option<String>,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let value = value
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())?;
    if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        errors.push(FieldError::new(field, "must not contain control characters"));
    }
    Some(value)
}

pub(super) fn pull_request_numbers(numbers: &[i64]) -> Result<(), DomainError> {
    if numbers.iter().any(|n| !(0..=i64::from(i32::MAX)).contains(n)) {
        return Err(DomainError::invalid(
            "pr_number",
            "must be numbers between 0 and 2^31 - 1",
        ));
    }
    if numbers.len() > 1000 {
        return Err(DomainError::invalid("pr_number", "at most 1000 pull requests"));
    }
    Ok(())
}

impl ConversationService {
    /// Starts a conversation in the org (developer+).
    pub async fn create(
        &self,
        caller: &Caller,
        org: OrgId,
        input: NewConversationInput,
    ) -> Result<Conversation, DomainError> {
        let role = self.role_in(caller, org).await?;
        require(role, Permission::CreateConversations)?;
        self.ports.start_policy.check(org, caller.user.id, None).await?;
        let input = input.checked()?;
        let now = self.ports.clock.now();
        let conversation = Conversation::begin(NewConversation {
            id: new_id(),
            org_id: org,
            created_by: caller.user.id,
            title: input.title,
            selected_repository: input.selected_repository,
            selected_branch: input.selected_branch,
            git_provider: input.git_provider,
            trigger: input.trigger,
            llm_model: input.llm_model,
            visibility: input.visibility.unwrap_or(Visibility::Private),
            sandbox_id: None,
            execution_status: None,
            at: now,
        });
        self.ports.conversations.create(&conversation).await?;
        self.signal(Signal::ConversationChanged {
            org,
            conversation: conversation.id,
        })
        .await;
        Ok(conversation)
    }

    /// One conversation the caller may read.
    pub async fn get<'a>(
        &self,
        claimant: impl Into<Claimant<'a>>,
        org: OrgId,
        id: ConversationId,
    ) -> Result<Conversation, DomainError> {
        self.readable_as(claimant.into(), org, id)
            .await
            .map(|(conversation, _, _)| conversation)
    }

    /// A page of the conversations the caller may read.
    pub async fn list<'a>(
        &self,
        claimant: impl Into<Claimant<'a>>,
        org: OrgId,
        query: ConversationListQuery,
    ) -> Result<ConversationPage, DomainError> {
        let claimant = claimant.into();
        if let Claimant::Confirmed(caller) = claimant {
            caller.reach(org)?;
        }
        let filter = ConversationFilter {
            reader: claimant.user_id(),
            private_visible_to: Role::ALL
                .into_iter()
                .filter(|role| role.allows(Permission::ManageAllConversations))
                .collect(),
            mine: query.mine,
            title_contains: query.q.filter(|q| !q.is_empty()),
            repository: query.repository.filter(|repository| !repository.is_empty()),
            execution_status: query
                .execution_status
                .as_deref()
                .filter(|status| !status.is_empty())
                .map(|status| {
                    crate::conversations::execution_status::ExecutionStatus::parse_field(
                        "execution_status",
                        status,
                    )
                })
                .transpose()?,
            sandbox: query.sandbox,
            created: query.created,
            updated: query.updated,
            order: query.order,
        };
        let after = query.after.map(|cursor| query.order.accept(cursor)).transpose()?;
        let mut items = match claimant {
            Claimant::Confirmed(caller) => {
                let (access, items) = self
                    .ports
                    .conversations
                    .list_for(org, &filter, after, query.limit + 1)
                    .await?;
                crate::caller::admitted_role(caller, org, access)?;
                items
            }
            Claimant::Session(claims) => {
                let read = self
                    .ports
                    .session_reads
                    .conversations(&self.probe(claims), org, &filter, after, query.limit + 1)
                    .await?;
                let (caller, access, items) = confirm_read(claims, read)?;
                crate::caller::admitted_role(&caller, org, access)?;
                items
            }
        };
        let more = items.len() as u64 > query.limit;
        items.truncate(query.limit as usize);
        let next = more
            .then(|| items.last())
            .flatten()
            .map(|last| query.order.cursor_after(last));
        Ok(ConversationPage { items, next })
    }

    /// Changes title, visibility, branch or pull requests (creator or admin+).
    pub async fn update(
        &self,
        caller: &Caller,
        org: OrgId,
        id: ConversationId,
        mut patch: ConversationPatch,
    ) -> Result<Conversation, DomainError> {
        self.manageable(caller, org, id).await?;
        let mut errors = Vec::new();
        if let Some(title) = patch.title.take() {
            patch.title = Some(text("title", title, MAX_TITLE, &mut errors));
        }
        if let Some(branch) = patch.selected_branch.take() {
            patch.selected_branch = Some(text("selected_branch", branch, MAX_LABEL, &mut errors));
        }
        if !errors.is_empty() {
            return Err(DomainError::Validation(errors));
        }
        if let Some(numbers) = &patch.pr_number {
            pull_request_numbers(numbers)?;
        }
        let updated = self
            .ports
            .conversations
            .update(org, id, &patch, self.ports.clock.now())
            .await?;
        self.signal(Signal::ConversationChanged {
            org,
            conversation: id,
        })
        .await;
        Ok(updated)
    }

    /// Deletes the conversation and its events (creator or admin+).
    pub async fn delete(&self, caller: &Caller, org: OrgId, id: ConversationId) -> Result<(), DomainError> {
        self.manageable(caller, org, id).await?;
        self.ports
            .conversations
            .delete(org, id, self.ports.clock.now())
            .await?;
        self.signal(Signal::ConversationChanged {
            org,
            conversation: id,
        })
        .await;
        // The deletion is recorded; if the store is down now, a later purge finishes the job.
        let _ = self.ports.purger.purge_pending().await;
        Ok(())
    }

    /// Adds token and cost usage to the totals (creator or admin+).
    pub async fn add_usage(
        &self,
        caller: &Caller,
        org: OrgId,
        id: ConversationId,
        usage: UsageReport,
    ) -> Result<Conversation, DomainError> {
        crate::conversations::usage_bounds::check_report(
            usage.cost,
            usage.prompt_tokens,
            usage.completion_tokens,
        )?;
        self.manageable(caller, org, id).await?;
        let (totals, recorded) = self
            .ports
            .conversations
            .add_usage(org, id, usage, self.ports.clock.now())
            .await?;
        if let Some(recorded) = recorded {
            self.ports.spend.spent(recorded).await;
        }
        self.signal(Signal::ConversationChanged {
            org,
            conversation: id,
        })
        .await;
        Ok(totals)
    }

    /// Hands a conversation to another current member (admin+): a leaver's private work stays
    /// with the org. Audited.
    pub async fn reassign(
        &self,
        caller: &Caller,
        org: OrgId,
        id: ConversationId,
        to: UserId,
    ) -> Result<Conversation, DomainError> {
        let role = self.role_in(caller, org).await?;
        require(role, Permission::ManageAllConversations)?;
        let (previous, _) = self.readable(caller, org, id).await?;
        if self.ports.orgs.membership(org, to).await?.is_none() {
            return Err(DomainError::invalid("user_id", "must be a member of the org"));
        }
        let audit = crate::AuditEntry::new(
            org,
            self.ports.clock.now(),
            Some(caller.user.id),
            crate::AuditAction::ConversationReassigned,
            ("conversation", Some(id.to_string())),
            serde_json::json!({ "from": previous.created_by, "to": to }),
        );
        let reassigned = self.ports.conversations.reassign(org, id, to, &audit).await?;
        self.signal(Signal::ConversationChanged {
            org,
            conversation: id,
        })
        .await;
        Ok(reassigned)
    }
}

/// Converts a reported cost to micro-units: finite, not negative, at most a billion.
pub fn cost_to_micros(cost: f64) -> Result<i64, DomainError> {
    if !cost.is_finite() || !(0.0..=1e9).contains(&cost) {
        return Err(DomainError::invalid(
            "cost",
            "must be a finite number between 0 and 1e9",
        ));
    }
    Ok((cost * 1_000_000.0).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_become_exact_micro_units() {
        assert_eq!(cost_to_micros(0.1).expect("valid"), 100_000);
        assert_eq!(cost_to_micros(1.234567).expect("valid"), 1_234_567);
        assert!(cost_to_micros(-0.01).is_err());
        assert!(cost_to_micros(f64::NAN).is_err());
        assert!(cost_to_micros(f64::INFINITY).is_err());
    }
}

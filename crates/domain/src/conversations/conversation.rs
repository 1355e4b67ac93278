//! Conversations: an agent session's metadata, owned by an org and its creator.

use chrono::{DateTime, Utc};

use crate::{ConversationId, DomainError, OrgId, Role, UserId};

/// Who may read a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// The creator and the org's admins and owners.
    Private,
    /// Every member of the org.
    Org,
}

impl Visibility {
    /// Stable name, as stored.
    pub const fn name(self) -> &'static str {
        match self {
            Visibility::Private => "private",
            Visibility::Org => "org",
        }
    }

    /// Parses a stored name.
    pub fn parse(name: &str) -> Result<Self, DomainError> {
        match name {
            "private" => Ok(Visibility::Private),
            "org" => Ok(Visibility::Org),
            _ => Err(DomainError::invalid("visibility", "must be private or org")),
        }
    }
}

/// Money in millionths of a currency unit: exact sums, no float drift.
pub type Micros = i64;

/// A conversation's metadata; its events live in the event store.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    /// Identifier.
    pub id: ConversationId,
    /// The org it belongs to.
    pub org_id: OrgId,
    /// Who created it.
    pub created_by: UserId,
    /// Human title.
    pub title: Option<String>,
    /// Repository the agent works on (`owner/name`).
    pub selected_repository: Option<String>,
    /// Branch the agent works on.
    pub selected_branch: Option<String>,
    /// Where the repository lives (`github`, `gitlab`, …).
    pub git_provider: Option<String>,
    /// What started it (`gui`, `api`, `slack`, …).
    pub trigger: Option<String>,
    /// Model used.
    pub llm_model: Option<String>,
    /// Who may read it.
    pub visibility: Visibility,
    /// Pull requests opened from it.
    pub pr_number: Vec<i64>,
    /// Total cost so far.
    pub accumulated_cost: Micros,
    /// Prompt tokens so far.
    pub prompt_tokens: i64,
    /// Completion tokens so far.
    pub completion_tokens: i64,
    /// Prompt + completion tokens.
    pub total_tokens: i64,
    /// Events appended so far; also the next event id.
    pub event_count: i64,
    /// The sandbox whose agent server runs it, if one does.
    pub sandbox_id: Option<uuid::Uuid>,
    /// The agent's execution status as last reported (`running`, `finished`, …).
    pub execution_status: Option<crate::conversations::execution_status::ExecutionStatus>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed (metadata, events or usage).
    pub last_updated_at: DateTime<Utc>,
    /// Usage took it beyond a budget (the org's, its creator's or its own).
    pub over_budget: bool,
}

/// What a new conversation is made of; it begins with no usage, no events and no budget flag.
#[derive(Debug, Clone, PartialEq)]
pub struct NewConversation {
    /// Identifier (an agent's own id, for conversations an agent server reports).
    pub id: ConversationId,
    /// The org it belongs to.
    pub org_id: OrgId,
    /// Who creates it.
    pub created_by: UserId,
    /// Human title.
    pub title: Option<String>,
    /// Repository the agent works on.
    pub selected_repository: Option<String>,
    /// Branch the agent works on.
    pub selected_branch: Option<String>,
    /// Where the repository lives.
    pub git_provider: Option<String>,
    /// What starts it.
    pub trigger: Option<String>,
    /// Model used.
    pub llm_model: Option<String>,
    /// Who may read it.
    pub visibility: Visibility,
    /// The sandbox whose agent server runs it, if one does.
    pub sandbox_id: Option<uuid::Uuid>,
    /// The agent's execution status, if an agent runs it.
    pub execution_status: Option<crate::conversations::execution_status::ExecutionStatus>,
    /// When it begins.
    pub at: DateTime<Utc>,
}

impl Conversation {
    /// A conversation as it begins: no usage, no events, within every budget.
    pub fn begin(new: NewConversation) -> Self {
        Self {
            id: new.id,
            org_id: new.org_id,
            created_by: new.created_by,
            title: new.title,
            selected_repository: new.selected_repository,
            selected_branch: new.selected_branch,
            git_provider: new.git_provider,
            trigger: new.trigger,
            llm_model: new.llm_model,
            visibility: new.visibility,
            pr_number: Vec::new(),
            accumulated_cost: 0,
            prompt_tokens: 0,
            completion_tokens: 0,
            total_tokens: 0,
            event_count: 0,
            sandbox_id: new.sandbox_id,
            execution_status: new.execution_status,
            created_at: new.at,
            last_updated_at: new.at,
            over_budget: false,
        }
    }

    /// This conversation's metadata as it began: the same, with no usage or events yet (what is
    /// recorded when its agent server's first report is still to come).
    pub fn as_begun(&self) -> Self {
        Self {
            accumulated_cost: 0,
            prompt_tokens: 0,
            completion_tokens: 0,
            total_tokens: 0,
            event_count: 0,
            over_budget: false,
            ..self.clone()
        }
    }

    /// Whether a member with `role` (user `user`) may read it. Others get `NotFound`.
    pub fn readable_by(&self, user: UserId, role: Role) -> bool {
        self.visibility == Visibility::Org || self.created_by == user || role.is_at_least(Role::Admin)
    }

    /// Whether a member may change it, append to it or delete it: its creator while still a
    /// developer or above, and admins and owners.
    pub fn manageable_by(&self, user: UserId, role: Role) -> bool {
        role.is_at_least(Role::Admin) || (self.created_by == user && role.is_at_least(Role::Developer))
    }
}

/// `Conflict { code: "conversation_exists" }`: a conversation with this id exists.
pub fn conversation_exists() -> DomainError {
    DomainError::conflict("conversation_exists", "This conversation exists.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conversation(created_by: UserId, visibility: Visibility) -> Conversation {
        Conversation::begin(NewConversation {
            id: crate::new_id(),
            org_id: crate::new_id(),
            created_by,
            title: None,
            selected_repository: None,
            selected_branch: None,
            git_provider: None,
            trigger: None,
            llm_model: None,
            visibility,
            sandbox_id: None,
            execution_status: None,
            at: Utc::now(),
        })
    }

    #[test]
    fn a_conversation_begins_with_no_usage_and_no_events() {
        let mut spent = conversation(crate::new_id(), Visibility::Org);
        spent.accumulated_cost = 5;
        spent.total_tokens = 7;
        spent.event_count = 3;
        spent.over_budget = true;
        let begun = spent.as_begun();
        assert_eq!(
            (begun.accumulated_cost, begun.total_tokens, begun.event_count),
            (0, 0, 0)
        );
        assert!(!begun.over_budget);
        assert_eq!((begun.id, begun.visibility), (spent.id, Visibility::Org));
    }

    #[test]
    fn private_conversations_are_for_their_creator_and_admins() {
        let creator = crate::new_id();
        let other = crate::new_id();
        let private = conversation(creator, Visibility::Private);
        assert!(private.readable_by(creator, Role::Developer));
        assert!(!private.readable_by(other, Role::Developer));
        assert!(private.readable_by(other, Role::Admin));
        let shared = conversation(creator, Visibility::Org);
        assert!(shared.readable_by(other, Role::Viewer));
    }

    #[test]
    fn only_creators_with_developer_rights_and_admins_manage() {
        let creator = crate::new_id();
        let shared = conversation(creator, Visibility::Org);
        assert!(shared.manageable_by(creator, Role::Developer));
        assert!(
            !shared.manageable_by(creator, Role::Viewer),
            "a demoted creator only reads"
        );
        assert!(!shared.manageable_by(crate::new_id(), Role::Developer));
        assert!(shared.manageable_by(crate::new_id(), Role::Admin));
    }
}

//! Response bodies of these routes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tenantry_domain::{Conversation, StoredEvent, Visibility};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::wire::page_bodies;

/// A conversation's metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationBody {
    id: Uuid,
    org_id: Uuid,
    created_by: Uuid,
    title: Option<String>,
    selected_repository: Option<String>,
    selected_branch: Option<String>,
    git_provider: Option<String>,
    trigger: Option<String>,
    llm_model: Option<String>,
    #[schema(value_type = crate::wire_names::VisibilityName)]
    visibility: Visibility,
    pr_number: Vec<i64>,
    /// In currency units; kept exactly as integer micro-units inside.
    accumulated_cost: f64,
    prompt_tokens: i64,
    completion_tokens: i64,
    total_tokens: i64,
    event_count: i64,
    /// The sandbox whose agent server runs it, if one does.
    sandbox_id: Option<Uuid>,
    /// The agent's execution status as last reported.
    execution_status: Option<String>,
    #[serde(serialize_with = "crate::wire::rfc3339")]
    created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::wire::rfc3339")]
    last_updated_at: DateTime<Utc>,
    /// Usage took it beyond a budget (the org's, its creator's or its own).
    over_budget: bool,
}

impl From<&Conversation> for ConversationBody {
    fn from(c: &Conversation) -> Self {
        Self {
            id: c.id,
            org_id: c.org_id,
            created_by: c.created_by,
            title: c.title.clone(),
            selected_repository: c.selected_repository.clone(),
            selected_branch: c.selected_branch.clone(),
            git_provider: c.git_provider.clone(),
            trigger: c.trigger.clone(),
            llm_model: c.llm_model.clone(),
            visibility: c.visibility,
            pr_number: c.pr_number.clone(),
            accumulated_cost: c.accumulated_cost as f64 / 1_000_000.0,
            prompt_tokens: c.prompt_tokens,
            completion_tokens: c.completion_tokens,
            total_tokens: c.total_tokens,
            event_count: c.event_count,
            sandbox_id: c.sandbox_id,
            execution_status: c.execution_status.clone().map(String::from),
            created_at: c.created_at,
            last_updated_at: c.last_updated_at,
            over_budget: c.over_budget,
        }
    }
}

/// One event as read back.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventBody<'a> {
    id: i64,
    #[serde(serialize_with = "crate::wire::rfc3339")]
    timestamp: DateTime<Utc>,
    #[schema(value_type = Object)]
    event: &'a serde_json::Value,
}

impl<'a> From<&'a StoredEvent> for EventBody<'a> {
    fn from(event: &'a StoredEvent) -> Self {
        Self {
            id: event.id,
            timestamp: event.timestamp,
            event: &event.event,
        }
    }
}

page_bodies! {
    /// A page of conversations.
    ConversationPage(ConversationBody);
}

//! A conversation's row under its lock, as both the event log and agent reports change it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr,
};
use tenantry_domain::{
    Conversation, ConversationId, DomainError,
    agent_reports::AgentStateChange,
    budget::SpendRecorded,
    spend::usage_charge::{UsageDelta, UsageTotals, raise_to_reported},
};

use crate::{
    entities::conversations,
    errors::db_error,
    spend_rows::{SpendSubject, record_spend},
};

/// The conversation `id` in any org, locked for the rest of the transaction.
pub(crate) async fn locked_anywhere(
    conn: &impl ConnectionTrait,
    id: ConversationId,
) -> Result<Option<conversations::Model>, DomainError> {
    conversations::Entity::find_by_id(id)
        .lock_exclusive()
        .one(conn)
        .await
        .map_err(db_error)
}

/// Applies a reported status and usage to the locked row: the status as reported, the totals as
/// [`raise_to_reported`] decides, and what that adds counted against budgets.
pub(crate) async fn apply_state(
    conn: &impl ConnectionTrait,
    id: ConversationId,
    change: &AgentStateChange,
    now: DateTime<Utc>,
) -> Result<Option<SpendRecorded>, DomainError> {
    use conversations::Column;
    // The row is locked by the caller: what the report adds is its totals minus these.
    let before = conversations::Entity::find_by_id(id)
        .one(conn)
        .await
        .map_err(db_error)?
        .ok_or(DomainError::NotFound)?;
    let mut update = conversations::Entity::update_many()
        .col_expr(Column::LastUpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id));
    if let Some(status) = &change.execution_status {
        update = update.col_expr(Column::ExecutionStatus, Expr::value(status.as_str()));
    }
    let before_totals = UsageTotals {
        cost: before.accumulated_cost_micros,
        prompt_tokens: before.prompt_tokens,
        completion_tokens: before.completion_tokens,
    };
    let mut delta = UsageDelta::default();
    if let Some(reported) = change.usage {
        delta = raise_to_reported(before_totals, reported);
        let after = before_totals.plus(delta);
        update = update
            .col_expr(Column::AccumulatedCostMicros, Expr::value(after.cost))
            .col_expr(Column::PromptTokens, Expr::value(after.prompt_tokens))
            .col_expr(Column::CompletionTokens, Expr::value(after.completion_tokens))
            .col_expr(Column::TotalTokens, Expr::value(after.total_tokens()));
    }
    update.exec(conn).await.map_err(db_error)?;
    record_spend(
        conn,
        SpendSubject {
            org: before.org_id,
            conversation: id,
            member: before.created_by,
            model: before.llm_model.as_deref(),
            conversation_cost: before.accumulated_cost_micros + delta.cost,
        },
        delta,
        now,
    )
    .await
}

/// The row that stores `conversation`.
pub(crate) fn conversation_row(conversation: &Conversation) -> conversations::ActiveModel {
    conversations::ActiveModel {
        id: Set(conversation.id),
        org_id: Set(conversation.org_id),
        created_by: Set(conversation.created_by),
        title: Set(conversation.title.clone()),
        selected_repository: Set(conversation.selected_repository.clone()),
        selected_branch: Set(conversation.selected_branch.clone()),
        git_provider: Set(conversation.git_provider.clone()),
        trigger: Set(conversation.trigger.clone()),
        llm_model: Set(conversation.llm_model.clone()),
        visibility: Set(conversation.visibility.name().to_owned()),
        pr_number: Set(serde_json::json!(conversation.pr_number)),
        accumulated_cost_micros: Set(conversation.accumulated_cost),
        prompt_tokens: Set(conversation.prompt_tokens),
        completion_tokens: Set(conversation.completion_tokens),
        total_tokens: Set(conversation.total_tokens),
        event_count: Set(conversation.event_count),
        sandbox_id: Set(conversation.sandbox_id),
        execution_status: Set(conversation.execution_status.clone().map(String::from)),
        created_at: Set(conversation.created_at),
        last_updated_at: Set(conversation.last_updated_at),
        over_budget: Set(conversation.over_budget),
    }
}

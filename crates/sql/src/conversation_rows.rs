//! A conversation's row under its lock, as both the event log and agent reports change it.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr};
use tenantry_domain::{
    ConversationId, DomainError,
    agent_reports::{AgentStateChange, ReportedUsage},
    budget::SpendRecorded,
};

use crate::{
    entities::conversations,
    errors::db_error,
    spend_rows::{SpendSubject, UsageDelta, record_spend},
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

/// Applies a reported status and usage to the locked row: the status as reported, every total raised
/// to the reported one (never lowered), and what that adds counted against budgets.
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
    let mut delta = UsageDelta::default();
    if let Some(usage) = change.usage {
        let ReportedUsage {
            cost,
            prompt_tokens,
            completion_tokens,
        } = usage;
        // Usage is raised to the reported totals, never lowered.
        delta = UsageDelta {
            cost: (cost - before.accumulated_cost_micros).max(0),
            prompt_tokens: (prompt_tokens - before.prompt_tokens).max(0),
            completion_tokens: (completion_tokens - before.completion_tokens).max(0),
        };
        let prompt = before.prompt_tokens + delta.prompt_tokens;
        let completion = before.completion_tokens + delta.completion_tokens;
        update = update
            .col_expr(
                Column::AccumulatedCostMicros,
                Expr::value(before.accumulated_cost_micros + delta.cost),
            )
            .col_expr(Column::PromptTokens, Expr::value(prompt))
            .col_expr(Column::CompletionTokens, Expr::value(completion))
            .col_expr(Column::TotalTokens, Expr::value(prompt + completion));
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

//! Conversations and events reported by agent servers: upserts decided by the domain under the
//! conversation's row lock, and appends deduplicated by a unique index on the events' own ids.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use tenantry_domain::{
    Conversation, ConversationId, DomainError, Visibility,
    agent_reports::{AgentStateChange, ConversationReport},
    ports::{AgentReportStore, ReportOutcome},
    sandbox::Sandbox,
    sandbox_access::{ExistingConversation, ReportTarget, decide_report_target},
    spend::usage_charge::{UsageTotals, raise_to_reported},
};

use crate::{
    SqlDatabase,
    conversation_rows::{apply_state, locked_anywhere},
    entities::{conversations, deleted_conversations},
    errors::{db_error, is_unique_violation},
    spend_rows::{SpendSubject, record_spend},
    transaction::begin_write,
};

/// [`AgentReportStore`] on SQL.
#[derive(Debug, Clone)]
pub struct SqlAgentReportStore {
    db: SqlDatabase,
}

impl SqlAgentReportStore {
    /// The store over an open database.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

/// Whether conversation `id` was deleted.
async fn was_deleted(conn: &impl ConnectionTrait, id: ConversationId) -> Result<bool, DomainError> {
    Ok(deleted_conversations::Entity::find_by_id(id)
        .one(conn)
        .await
        .map_err(db_error)?
        .is_some())
}

#[async_trait]
impl AgentReportStore for SqlAgentReportStore {
    async fn record_report(
        &self,
        sandbox: &Sandbox,
        report: &ConversationReport,
        now: DateTime<Utc>,
    ) -> Result<ReportOutcome, DomainError> {
        // Two first reports of one conversation race to insert it: the loser updates instead.
        for _ in 0..2 {
            let (txn, _turn) = begin_write(&self.db).await?;
            let existing = locked_anywhere(&txn, report.id).await?;
            let target = decide_report_target(
                existing.as_ref().map(|row| ExistingConversation {
                    org_id: row.org_id,
                    sandbox_id: row.sandbox_id,
                }),
                was_deleted(&txn, report.id).await?,
                sandbox.org_id,
                sandbox.id,
            )?;
            let recorded = match target {
                ReportTarget::Ignore => return Ok(ReportOutcome::Ignored),
                ReportTarget::Create => {
                    let usage = report.usage.unwrap_or_default();
                    let inserted = conversations::Entity::insert(conversations::ActiveModel {
                        id: Set(report.id),
                        org_id: Set(sandbox.org_id),
                        created_by: Set(sandbox.created_by),
                        title: Set(report.title.clone()),
                        selected_repository: Set(None),
                        selected_branch: Set(None),
                        git_provider: Set(None),
                        trigger: Set(Some("agent_server".into())),
                        llm_model: Set(report.llm_model.clone()),
                        visibility: Set(Visibility::Private.name().to_owned()),
                        pr_number: Set(serde_json::json!([])),
                        accumulated_cost_micros: Set(usage.cost),
                        prompt_tokens: Set(usage.prompt_tokens),
                        completion_tokens: Set(usage.completion_tokens),
                        total_tokens: Set(usage.prompt_tokens + usage.completion_tokens),
                        event_count: Set(0),
                        sandbox_id: Set(Some(sandbox.id)),
                        execution_status: Set(report.execution_status.clone()),
                        created_at: Set(now),
                        last_updated_at: Set(now),
                        over_budget: Set(false),
                    })
                    .exec_without_returning(&txn)
                    .await;
                    match inserted {
                        Err(error) if is_unique_violation(&error) => continue,
                        other => other.map_err(db_error)?,
                    };
                    record_spend(
                        &txn,
                        SpendSubject {
                            org: sandbox.org_id,
                            conversation: report.id,
                            member: sandbox.created_by,
                            model: report.llm_model.as_deref(),
                            conversation_cost: usage.cost,
                        },
                        raise_to_reported(UsageTotals::default(), usage),
                        now,
                    )
                    .await?
                }
                ReportTarget::Update => {
                    let mut update =
                        conversations::Entity::update_many().filter(conversations::Column::Id.eq(report.id));
                    let mut changed = false;
                    if let Some(title) = &report.title {
                        update = update.col_expr(conversations::Column::Title, Expr::value(title.as_str()));
                        changed = true;
                    }
                    if let Some(model) = &report.llm_model {
                        update =
                            update.col_expr(conversations::Column::LlmModel, Expr::value(model.as_str()));
                        changed = true;
                    }
                    if changed {
                        update.exec(&txn).await.map_err(db_error)?;
                    }
                    let change = AgentStateChange {
                        execution_status: report.execution_status.clone(),
                        usage: report.usage,
                    };
                    if change.is_empty() {
                        None
                    } else {
                        apply_state(&txn, report.id, &change, now).await?
                    }
                }
            };
            txn.commit().await.map_err(db_error)?;
            return Ok(ReportOutcome::Recorded(recorded));
        }
        Err(DomainError::Unavailable(
            "conversation report kept conflicting".into(),
        ))
    }

    async fn record_started(
        &self,
        sandbox: &Sandbox,
        conversation: &Conversation,
    ) -> Result<(), DomainError> {
        for _ in 0..2 {
            let (txn, _turn) = begin_write(&self.db).await?;
            let existing = locked_anywhere(&txn, conversation.id).await?;
            let target = decide_report_target(
                existing.as_ref().map(|row| ExistingConversation {
                    org_id: row.org_id,
                    sandbox_id: row.sandbox_id,
                }),
                was_deleted(&txn, conversation.id).await?,
                sandbox.org_id,
                sandbox.id,
            )?;
            match target {
                ReportTarget::Ignore => return Ok(()),
                ReportTarget::Create => {
                    let inserted = conversations::Entity::insert(conversations::ActiveModel {
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
                        accumulated_cost_micros: Set(0),
                        prompt_tokens: Set(0),
                        completion_tokens: Set(0),
                        total_tokens: Set(0),
                        event_count: Set(0),
                        sandbox_id: Set(conversation.sandbox_id),
                        execution_status: Set(conversation.execution_status.clone()),
                        created_at: Set(conversation.created_at),
                        last_updated_at: Set(conversation.last_updated_at),
                        over_budget: Set(false),
                    })
                    .exec_without_returning(&txn)
                    .await;
                    match inserted {
                        Err(error) if is_unique_violation(&error) => continue,
                        other => other.map_err(db_error)?,
                    };
                }
                ReportTarget::Update => {
                    use conversations::Column;
                    // The agent server reported first: keep what it reported, add what only
                    // Tenantry knows.
                    let mut update = conversations::Entity::update_many()
                        .col_expr(Column::CreatedBy, Expr::value(conversation.created_by))
                        .col_expr(Column::Visibility, Expr::value(conversation.visibility.name()))
                        .col_expr(Column::Trigger, Expr::value(conversation.trigger.clone()))
                        .col_expr(
                            Column::SelectedRepository,
                            Expr::value(conversation.selected_repository.clone()),
                        )
                        .col_expr(
                            Column::SelectedBranch,
                            Expr::value(conversation.selected_branch.clone()),
                        )
                        .filter(Column::Id.eq(conversation.id));
                    if let Some(title) = &conversation.title {
                        update = update.col_expr(Column::Title, Expr::value(title.as_str()));
                    }
                    update.exec(&txn).await.map_err(db_error)?;
                }
            }
            txn.commit().await.map_err(db_error)?;
            return Ok(());
        }
        Err(DomainError::Unavailable(
            "conversation record kept conflicting".into(),
        ))
    }
}

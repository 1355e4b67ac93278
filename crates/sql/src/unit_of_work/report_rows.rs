use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use tenantry_domain::{
    Conversation, ConversationId, DomainError,
    budget::SpendRecorded,
    ports::{ReportRows, ReportedConversation},
    sandbox_access::ExistingConversation,
    spend::usage_charge::UsageDelta,
};

use super::SqlTransaction;
use crate::{
    conversation_rows::{conversation_row, locked_anywhere},
    entities::{conversations, deleted_conversations},
    errors::{db_error, is_unique_violation},
    spend_rows::{SpendSubject, record_spend},
};

#[async_trait]
impl ReportRows for SqlTransaction {
    async fn lock_reported(&self, id: ConversationId) -> Result<ReportedConversation, DomainError> {
        let existing = locked_anywhere(&self.txn, id).await?;
        let deleted = deleted_conversations::Entity::find_by_id(id)
            .one(&self.txn)
            .await
            .map_err(db_error)?
            .is_some();
        Ok(ReportedConversation {
            existing: existing.map(|row| ExistingConversation {
                org_id: row.org_id,
                sandbox_id: row.sandbox_id,
            }),
            deleted,
        })
    }

    async fn insert_reported(&self, conversation: &Conversation) -> Result<bool, DomainError> {
        match conversations::Entity::insert(conversation_row(conversation))
            .exec_without_returning(&self.txn)
            .await
        {
            Ok(_) => Ok(true),
            Err(error) if is_unique_violation(&error) => Ok(false),
            Err(error) => Err(db_error(error)),
        }
    }

    async fn set_reported_names(
        &self,
        id: ConversationId,
        title: Option<&str>,
        model: Option<&str>,
    ) -> Result<(), DomainError> {
        use conversations::Column;
        let mut update = conversations::Entity::update_many().filter(Column::Id.eq(id));
        if let Some(title) = title {
            update = update.col_expr(Column::Title, Expr::value(title));
        }
        if let Some(model) = model {
            update = update.col_expr(Column::LlmModel, Expr::value(model));
        }
        update.exec(&self.txn).await.map_err(db_error)?;
        Ok(())
    }

    async fn add_started_metadata(&self, conversation: &Conversation) -> Result<(), DomainError> {
        use conversations::Column;
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
        update.exec(&self.txn).await.map_err(db_error)?;
        Ok(())
    }

    async fn count_usage(
        &self,
        conversation: &Conversation,
        delta: UsageDelta,
        at: DateTime<Utc>,
    ) -> Result<Option<SpendRecorded>, DomainError> {
        record_spend(
            &self.txn,
            SpendSubject {
                org: conversation.org_id,
                conversation: conversation.id,
                member: conversation.created_by,
                model: conversation.llm_model.as_deref(),
                conversation_cost: conversation.accumulated_cost,
            },
            delta,
            at,
        )
        .await
    }
}

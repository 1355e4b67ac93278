//! Conversation start tasks (OpenHands' `AppConversationStartTask`): accepted at once, carried to
//! `READY` or `ERROR` in the background; they go with their org.

use sea_orm_migration::{prelude::*, schema::*};

use crate::references::belongs_to_org;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ConversationStartTasks {
    Table,
    Id,
    OrgId,
    CreatedBy,
    Status,
    Detail,
    ConversationId,
    SandboxId,
    Request,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConversationStartTasks::Table)
                    .col(uuid(ConversationStartTasks::Id).primary_key())
                    .col(uuid(ConversationStartTasks::OrgId))
                    .col(uuid(ConversationStartTasks::CreatedBy))
                    .col(string_len(ConversationStartTasks::Status, 32))
                    .col(text_null(ConversationStartTasks::Detail))
                    .col(uuid_null(ConversationStartTasks::ConversationId))
                    .col(uuid_null(ConversationStartTasks::SandboxId))
                    .col(json(ConversationStartTasks::Request))
                    .col(timestamp_with_time_zone(ConversationStartTasks::CreatedAt))
                    .col(timestamp_with_time_zone(ConversationStartTasks::UpdatedAt))
                    .foreign_key(&mut belongs_to_org(
                        ConversationStartTasks::Table,
                        ConversationStartTasks::OrgId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_conversation_start_tasks_creator")
                    .table(ConversationStartTasks::Table)
                    .col(ConversationStartTasks::OrgId)
                    .col(ConversationStartTasks::CreatedBy)
                    .col(ConversationStartTasks::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConversationStartTasks::Table).to_owned())
            .await
    }
}

//! Conversations deleted in Tenantry whose agent server could not be told yet: retried until it
//! answers.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PendingAgentDeletions {
    Table,
    ConversationId,
    OrgId,
    SandboxId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PendingAgentDeletions::Table)
                    .col(pk_uuid(PendingAgentDeletions::ConversationId))
                    .col(uuid(PendingAgentDeletions::OrgId))
                    .col(uuid(PendingAgentDeletions::SandboxId))
                    .col(timestamp_with_time_zone(PendingAgentDeletions::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PendingAgentDeletions::Table).to_owned())
            .await
    }
}

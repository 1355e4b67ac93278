use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000002_create_orgs_users_members::{Orgs, Users};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Id,
    OrgId,
    CreatedBy,
    Title,
    SelectedRepository,
    SelectedBranch,
    GitProvider,
    Trigger,
    LlmModel,
    Visibility,
    PrNumber,
    AccumulatedCostMicros,
    PromptTokens,
    CompletionTokens,
    TotalTokens,
    EventCount,
    CreatedAt,
    LastUpdatedAt,
}

#[derive(DeriveIden)]
enum EventSegments {
    Table,
    ConversationId,
    FirstId,
    LastId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PendingPurges {
    Table,
    Id,
    OrgId,
    ConversationId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Conversations::Table)
                    .col(pk_uuid(Conversations::Id))
                    .col(uuid(Conversations::OrgId))
                    .col(uuid(Conversations::CreatedBy))
                    .col(string_len_null(Conversations::Title, 2000))
                    .col(string_len_null(Conversations::SelectedRepository, 1020))
                    .col(string_len_null(Conversations::SelectedBranch, 1020))
                    .col(string_len_null(Conversations::GitProvider, 1020))
                    .col(string_len_null(Conversations::Trigger, 1020))
                    .col(string_len_null(Conversations::LlmModel, 1020))
                    .col(string_len(Conversations::Visibility, 16))
                    .col(json(Conversations::PrNumber))
                    .col(big_integer(Conversations::AccumulatedCostMicros).default(0))
                    .col(big_integer(Conversations::PromptTokens).default(0))
                    .col(big_integer(Conversations::CompletionTokens).default(0))
                    .col(big_integer(Conversations::TotalTokens).default(0))
                    .col(big_integer(Conversations::EventCount).default(0))
                    .col(timestamp_with_time_zone(Conversations::CreatedAt))
                    .col(timestamp_with_time_zone(Conversations::LastUpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_conversations_org")
                            .from(Conversations::Table, Conversations::OrgId)
                            .to(Orgs::Table, Orgs::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_conversations_created_by")
                            .from(Conversations::Table, Conversations::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The list query: one org, newest first, keyset on (last_updated_at, id).
        manager
            .create_index(
                Index::create()
                    .name("idx_conversations_org_updated")
                    .table(Conversations::Table)
                    .col(Conversations::OrgId)
                    .col((Conversations::LastUpdatedAt, IndexOrder::Desc))
                    .col((Conversations::Id, IndexOrder::Desc))
                    .to_owned(),
            )
            .await?;
        // The same, filtered by repository.
        manager
            .create_index(
                Index::create()
                    .name("idx_conversations_org_repository_updated")
                    .table(Conversations::Table)
                    .col(Conversations::OrgId)
                    .col(Conversations::SelectedRepository)
                    .col((Conversations::LastUpdatedAt, IndexOrder::Desc))
                    .col((Conversations::Id, IndexOrder::Desc))
                    .to_owned(),
            )
            .await?;
        // The same, for one creator's conversations (`mine`, and what non-admins may see).
        manager
            .create_index(
                Index::create()
                    .name("idx_conversations_org_creator_updated")
                    .table(Conversations::Table)
                    .col(Conversations::OrgId)
                    .col(Conversations::CreatedBy)
                    .col((Conversations::LastUpdatedAt, IndexOrder::Desc))
                    .col((Conversations::Id, IndexOrder::Desc))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EventSegments::Table)
                    .col(uuid(EventSegments::ConversationId))
                    .col(big_integer(EventSegments::FirstId))
                    .col(big_integer(EventSegments::LastId))
                    .col(timestamp_with_time_zone(EventSegments::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(EventSegments::ConversationId)
                            .col(EventSegments::FirstId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_event_segments_conversation")
                            .from(EventSegments::Table, EventSegments::ConversationId)
                            .to(Conversations::Table, Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // No foreign keys: these outlive the rows they point at, by design.
        manager
            .create_table(
                Table::create()
                    .table(PendingPurges::Table)
                    .col(pk_uuid(PendingPurges::Id))
                    .col(uuid(PendingPurges::OrgId))
                    .col(uuid_null(PendingPurges::ConversationId))
                    .col(timestamp_with_time_zone(PendingPurges::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PendingPurges::Table.into_iden(),
            EventSegments::Table.into_iden(),
            Conversations::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

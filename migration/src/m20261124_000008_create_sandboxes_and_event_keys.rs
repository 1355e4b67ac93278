//! Sandboxes (agent servers reporting through webhooks), the conversation fields they report, and
//! the ids of reported events, whose unique index makes deliveries idempotent.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000002_create_orgs_users_members::{Orgs, Users};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Sandboxes {
    Table,
    Id,
    OrgId,
    CreatedBy,
    Name,
    Url,
    KeyDigest,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Id,
    OrgId,
    SandboxId,
    ExecutionStatus,
    LastUpdatedAt,
}

#[derive(DeriveIden)]
enum ConversationEventKeys {
    Table,
    ConversationId,
    EventKey,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sandboxes::Table)
                    .col(pk_uuid(Sandboxes::Id))
                    .col(uuid(Sandboxes::OrgId))
                    .col(uuid(Sandboxes::CreatedBy))
                    .col(string_len(Sandboxes::Name, 400))
                    .col(string_len_null(Sandboxes::Url, 2048))
                    .col(string_len_uniq(Sandboxes::KeyDigest, 64))
                    .col(timestamp_with_time_zone(Sandboxes::CreatedAt))
                    .col(timestamp_with_time_zone_null(Sandboxes::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sandboxes_org")
                            .from(Sandboxes::Table, Sandboxes::OrgId)
                            .to(Orgs::Table, Orgs::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sandboxes_creator")
                            .from(Sandboxes::Table, Sandboxes::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sandboxes_org_creator")
                    .table(Sandboxes::Table)
                    .col(Sandboxes::OrgId)
                    .col(Sandboxes::CreatedBy)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Conversations::Table)
                    .add_column(uuid_null(Conversations::SandboxId))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Conversations::Table)
                    .add_column(string_len_null(Conversations::ExecutionStatus, 32))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_conversations_org_status_updated")
                    .table(Conversations::Table)
                    .col(Conversations::OrgId)
                    .col(Conversations::ExecutionStatus)
                    .col((Conversations::LastUpdatedAt, IndexOrder::Desc))
                    .col((Conversations::Id, IndexOrder::Desc))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConversationEventKeys::Table)
                    .col(uuid(ConversationEventKeys::ConversationId))
                    .col(string_len(ConversationEventKeys::EventKey, 128))
                    .primary_key(
                        Index::create()
                            .col(ConversationEventKeys::ConversationId)
                            .col(ConversationEventKeys::EventKey),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_conversation_event_keys_conversation")
                            .from(
                                ConversationEventKeys::Table,
                                ConversationEventKeys::ConversationId,
                            )
                            .to(Conversations::Table, Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConversationEventKeys::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_conversations_org_status_updated")
                    .table(Conversations::Table)
                    .to_owned(),
            )
            .await?;
        for column in [Conversations::ExecutionStatus, Conversations::SandboxId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Conversations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(Sandboxes::Table).to_owned())
            .await
    }
}

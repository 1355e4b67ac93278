//! Single-use tickets that open one event stream (for `EventSource`, which cannot send headers),
//! and read-only share links of conversations.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum StreamTickets {
    Table,
    TokenDigest,
    UserId,
    SessionId,
    OrgId,
    ConversationId,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum ConversationShares {
    Table,
    Id,
    OrgId,
    ConversationId,
    TokenDigest,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StreamTickets::Table)
                    .col(string_len(StreamTickets::TokenDigest, 64).primary_key())
                    .col(uuid(StreamTickets::UserId))
                    .col(uuid_null(StreamTickets::SessionId))
                    .col(uuid(StreamTickets::OrgId))
                    .col(uuid(StreamTickets::ConversationId))
                    .col(timestamp_with_time_zone(StreamTickets::ExpiresAt))
                    .col(timestamp_with_time_zone_null(StreamTickets::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_stream_tickets_user")
                            .from(StreamTickets::Table, StreamTickets::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_stream_tickets_conversation")
                            .from(StreamTickets::Table, StreamTickets::ConversationId)
                            .to(Conversations::Table, Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConversationShares::Table)
                    .col(pk_uuid(ConversationShares::Id))
                    .col(uuid(ConversationShares::OrgId))
                    .col(uuid(ConversationShares::ConversationId))
                    .col(string_len(ConversationShares::TokenDigest, 64).unique_key())
                    .col(uuid(ConversationShares::CreatedBy))
                    .col(timestamp_with_time_zone(ConversationShares::CreatedAt))
                    .col(timestamp_with_time_zone_null(ConversationShares::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ConversationShares::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_conversation_shares_conversation")
                            .from(ConversationShares::Table, ConversationShares::ConversationId)
                            .to(Conversations::Table, Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConversationShares::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(StreamTickets::Table).to_owned())
            .await
    }
}

//! Appends a client can retry: a batch may carry the client's idempotency key, unique per
//! conversation, kept on the segment it became.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EventSegments {
    Table,
    ConversationId,
    IdempotencyKey,
}

const INDEX: &str = "event_segments_by_idempotency_key";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(EventSegments::Table)
                    .add_column(string_len_null(EventSegments::IdempotencyKey, 255))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(EventSegments::Table)
                    .col(EventSegments::ConversationId)
                    .col(EventSegments::IdempotencyKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table(EventSegments::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(EventSegments::Table)
                    .drop_column(EventSegments::IdempotencyKey)
                    .to_owned(),
            )
            .await
    }
}

//! The conversation list in `created` order (the one a full walk can trust: its key never moves)
//! reads an index of its own, one org, newest created first, keyset on (created_at, id).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Conversations {
    Table,
    OrgId,
    CreatedAt,
    Id,
}

const INDEX: &str = "idx_conversations_org_created";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Conversations::Table)
                    .col(Conversations::OrgId)
                    .col((Conversations::CreatedAt, IndexOrder::Desc))
                    .col((Conversations::Id, IndexOrder::Desc))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table(Conversations::Table).to_owned())
            .await
    }
}

//! Deleted conversations are remembered by id, so a late report of an agent server (it may post
//! after the deletion, or retry an older post) never brings one back.

use sea_orm_migration::{prelude::*, schema::*};

use crate::references::belongs_to_org;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DeletedConversations {
    Table,
    Id,
    OrgId,
    DeletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DeletedConversations::Table)
                    .col(uuid(DeletedConversations::Id).primary_key())
                    .col(uuid(DeletedConversations::OrgId))
                    .col(timestamp_with_time_zone(DeletedConversations::DeletedAt))
                    .foreign_key(&mut belongs_to_org(
                        DeletedConversations::Table,
                        DeletedConversations::OrgId,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DeletedConversations::Table).to_owned())
            .await
    }
}

//! Members' named LLM profiles per org (their keys are sealed in `secrets`, scope `profile_key`).

use sea_orm_migration::{prelude::*, schema::*};

use crate::references::{belongs_to_org, belongs_to_user};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LlmProfiles {
    Table,
    OrgId,
    UserId,
    Name,
    Model,
    BaseUrl,
    Active,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LlmProfiles::Table)
                    .col(uuid(LlmProfiles::OrgId))
                    .col(uuid(LlmProfiles::UserId))
                    .col(string_len(LlmProfiles::Name, 64))
                    .col(text_null(LlmProfiles::Model))
                    .col(text_null(LlmProfiles::BaseUrl))
                    .col(boolean(LlmProfiles::Active))
                    .col(timestamp_with_time_zone(LlmProfiles::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(LlmProfiles::OrgId)
                            .col(LlmProfiles::UserId)
                            .col(LlmProfiles::Name),
                    )
                    .foreign_key(&mut belongs_to_org(LlmProfiles::Table, LlmProfiles::OrgId))
                    .foreign_key(&mut belongs_to_user(LlmProfiles::Table, LlmProfiles::UserId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LlmProfiles::Table).to_owned())
            .await
    }
}

//! Login throttling counts only failures: attempts being checked are held apart as pending (with
//! when the latest began, so an abandoned one is forgotten) instead of counting as failures.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LoginThrottles {
    Table,
    Pending,
    PendingSince,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(LoginThrottles::Table)
                    .add_column(integer(LoginThrottles::Pending).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(LoginThrottles::Table)
                    .add_column(timestamp_with_time_zone_null(LoginThrottles::PendingSince))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(LoginThrottles::Table)
                    .drop_column(LoginThrottles::PendingSince)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(LoginThrottles::Table)
                    .drop_column(LoginThrottles::Pending)
                    .to_owned(),
            )
            .await
    }
}

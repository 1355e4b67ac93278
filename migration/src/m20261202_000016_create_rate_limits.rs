//! Rate limits: request counters per limit and one-minute window, shared by every instance, and the
//! per-org limits an operator sets.

use sea_orm_migration::{prelude::*, schema::*};

use crate::references::belongs_to_org;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RequestCounts {
    Table,
    CounterKey,
    WindowStart,
    Count,
}

#[derive(DeriveIden)]
enum OrgRateLimits {
    Table,
    OrgId,
    RequestsPerMinute,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RequestCounts::Table)
                    .col(string_len(RequestCounts::CounterKey, 64))
                    .col(big_integer(RequestCounts::WindowStart))
                    .col(big_integer(RequestCounts::Count))
                    .primary_key(
                        Index::create()
                            .col(RequestCounts::CounterKey)
                            .col(RequestCounts::WindowStart),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrgRateLimits::Table)
                    .col(uuid(OrgRateLimits::OrgId).primary_key())
                    .col(integer(OrgRateLimits::RequestsPerMinute))
                    .foreign_key(&mut belongs_to_org(OrgRateLimits::Table, OrgRateLimits::OrgId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OrgRateLimits::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(RequestCounts::Table).to_owned())
            .await
    }
}

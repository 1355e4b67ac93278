//! Sandboxes Tenantry runs itself: their status (`STARTING`, `RUNNING`, `PAUSED`, `ERROR`,
//! `MISSING`), the spec they were started with and when the status last changed (null for
//! sandboxes registered by URL); and the limits of running sandboxes an operator sets per org.

use sea_orm_migration::{prelude::*, schema::*};

use crate::references::belongs_to_org;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Sandboxes {
    Table,
    Status,
    SpecId,
    StatusChangedAt,
}

#[derive(DeriveIden)]
enum OrgSandboxLimits {
    Table,
    OrgId,
    MaxRunning,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for column in [
            string_len_null(Sandboxes::Status, 16),
            string_len_null(Sandboxes::SpecId, 200),
            timestamp_with_time_zone_null(Sandboxes::StatusChangedAt),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Sandboxes::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(OrgSandboxLimits::Table)
                    .col(uuid(OrgSandboxLimits::OrgId).primary_key())
                    .col(integer(OrgSandboxLimits::MaxRunning))
                    .foreign_key(&mut belongs_to_org(
                        OrgSandboxLimits::Table,
                        OrgSandboxLimits::OrgId,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OrgSandboxLimits::Table).to_owned())
            .await?;
        for column in [Sandboxes::StatusChangedAt, Sandboxes::SpecId, Sandboxes::Status] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sandboxes::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

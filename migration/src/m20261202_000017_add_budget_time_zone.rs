//! Budget months in the org's own time zone: an IANA name per budget, UTC unless set.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OrgBudgets {
    Table,
    TimeZone,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(OrgBudgets::Table)
                    .add_column(string_len(OrgBudgets::TimeZone, 64).default("UTC"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(OrgBudgets::Table)
                    .drop_column(OrgBudgets::TimeZone)
                    .to_owned(),
            )
            .await
    }
}

//! How each sandbox came to be: the role its creator held when registering it (`tenantry` for one
//! Tenantry started), which decides whether the org's LLM key may be sent to it. Sandboxes
//! registered before have none recorded, and are not trusted with the org's key.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Sandboxes {
    Table,
    Origin,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sandboxes::Table)
                    .add_column(string_len_null(Sandboxes::Origin, 32))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sandboxes::Table)
                    .drop_column(Sandboxes::Origin)
                    .to_owned(),
            )
            .await
    }
}

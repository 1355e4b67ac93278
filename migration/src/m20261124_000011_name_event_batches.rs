//! Event batches are written to objects named before their ids are allocated: each segment records
//! the name of its object (`NULL` for segments stored under their first id).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EventSegments {
    Table,
    BatchId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(EventSegments::Table)
                    .add_column(uuid_null(EventSegments::BatchId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(EventSegments::Table)
                    .drop_column(EventSegments::BatchId)
                    .to_owned(),
            )
            .await
    }
}

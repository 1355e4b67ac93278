//! Leases on stream slots, so the bound on open streams holds across instances: one row per open
//! stream and holder it counts against, renewed by its instance while it runs and lapsing when it
//! dies.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum StreamLeases {
    Table,
    LeaseId,
    Holder,
    InstanceId,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StreamLeases::Table)
                    .col(uuid(StreamLeases::LeaseId))
                    .col(string_len(StreamLeases::Holder, 80))
                    .col(uuid(StreamLeases::InstanceId))
                    .col(timestamp_with_time_zone(StreamLeases::ExpiresAt))
                    .primary_key(
                        Index::create()
                            .col(StreamLeases::LeaseId)
                            .col(StreamLeases::Holder),
                    )
                    .to_owned(),
            )
            .await?;
        // Counting one holder's live leases.
        manager
            .create_index(
                Index::create()
                    .name("idx_stream_leases_holder")
                    .table(StreamLeases::Table)
                    .col(StreamLeases::Holder)
                    .col(StreamLeases::ExpiresAt)
                    .to_owned(),
            )
            .await?;
        // Renewing one instance's leases.
        manager
            .create_index(
                Index::create()
                    .name("idx_stream_leases_instance")
                    .table(StreamLeases::Table)
                    .col(StreamLeases::InstanceId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StreamLeases::Table).to_owned())
            .await
    }
}

//! Device authorizations (OAuth 2.0 device grant, RFC 8628): the digest of the device's code, the
//! code a person types, the person's decision and org, the last poll, and when the grant was spent.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DeviceAuthorizations {
    Table,
    Id,
    DeviceCodeDigest,
    UserCode,
    CreatedAt,
    ExpiresAt,
    DecidedBy,
    DecidedOrg,
    Approved,
    DecidedAt,
    LastPolledAt,
    IssuedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DeviceAuthorizations::Table)
                    .col(uuid(DeviceAuthorizations::Id).primary_key())
                    .col(string_len_uniq(DeviceAuthorizations::DeviceCodeDigest, 128))
                    .col(string_len(DeviceAuthorizations::UserCode, 16))
                    .col(timestamp_with_time_zone(DeviceAuthorizations::CreatedAt))
                    .col(timestamp_with_time_zone(DeviceAuthorizations::ExpiresAt))
                    .col(uuid_null(DeviceAuthorizations::DecidedBy))
                    .col(uuid_null(DeviceAuthorizations::DecidedOrg))
                    .col(boolean_null(DeviceAuthorizations::Approved))
                    .col(timestamp_with_time_zone_null(DeviceAuthorizations::DecidedAt))
                    .col(timestamp_with_time_zone_null(DeviceAuthorizations::LastPolledAt))
                    .col(timestamp_with_time_zone_null(DeviceAuthorizations::IssuedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_device_authorizations_user_code")
                    .table(DeviceAuthorizations::Table)
                    .col(DeviceAuthorizations::UserCode)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DeviceAuthorizations::Table).to_owned())
            .await
    }
}

//! Two-factor sign-in: a user's TOTP enrolment (its secret sealed under the key ring), the
//! single-use recovery codes (as digests), and when MFA was turned on, on the user row.

use sea_orm_migration::{prelude::*, schema::*};

use crate::references::belongs_to_user;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    MfaEnabledAt,
}

#[derive(DeriveIden)]
enum UserMfa {
    Table,
    UserId,
    KeyId,
    Nonce,
    Ciphertext,
    ConfirmedAt,
    LastStep,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MfaRecoveryCodes {
    Table,
    Id,
    UserId,
    CodeDigest,
    UsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(timestamp_with_time_zone_null(Users::MfaEnabledAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserMfa::Table)
                    .col(uuid(UserMfa::UserId).primary_key())
                    .col(string_len(UserMfa::KeyId, 64))
                    .col(binary(UserMfa::Nonce))
                    .col(binary(UserMfa::Ciphertext))
                    .col(timestamp_with_time_zone_null(UserMfa::ConfirmedAt))
                    .col(big_integer_null(UserMfa::LastStep))
                    .col(timestamp_with_time_zone(UserMfa::CreatedAt))
                    .foreign_key(&mut belongs_to_user(UserMfa::Table, UserMfa::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MfaRecoveryCodes::Table)
                    .col(uuid(MfaRecoveryCodes::Id).primary_key())
                    .col(uuid(MfaRecoveryCodes::UserId))
                    .col(string_len(MfaRecoveryCodes::CodeDigest, 128))
                    .col(timestamp_with_time_zone_null(MfaRecoveryCodes::UsedAt))
                    .foreign_key(&mut belongs_to_user(
                        MfaRecoveryCodes::Table,
                        MfaRecoveryCodes::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("mfa_recovery_codes_user_digest")
                    .table(MfaRecoveryCodes::Table)
                    .col(MfaRecoveryCodes::UserId)
                    .col(MfaRecoveryCodes::CodeDigest)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MfaRecoveryCodes::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(UserMfa::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::MfaEnabledAt)
                    .to_owned(),
            )
            .await
    }
}

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000002_create_orgs_users_members::{Orgs, Users};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Settings {
    Table,
    OrgId,
    /// The member whose overrides these are; the nil UUID for the org's own settings.
    Subject,
    Values,
    LockedFields,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum UserPreferences {
    Table,
    UserId,
    Values,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Secrets {
    Table,
    Id,
    OrgId,
    Scope,
    /// The owning member; the nil UUID for org-wide values.
    OwnerId,
    Name,
    Description,
    KeyId,
    Nonce,
    Ciphertext,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    OrgId,
    UserId,
    Name,
    Prefix,
    Hash,
    Scopes,
    CreatedAt,
    LastUsedAt,
    ExpiresAt,
    RevokedAt,
}

fn org_fk(table: impl IntoIden, column: impl IntoIden, name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(Orgs::Table, Orgs::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Settings::Table)
                    .col(uuid(Settings::OrgId))
                    .col(uuid(Settings::Subject))
                    .col(json(Settings::Values))
                    .col(json(Settings::LockedFields))
                    .col(timestamp_with_time_zone(Settings::UpdatedAt))
                    .primary_key(Index::create().col(Settings::OrgId).col(Settings::Subject))
                    .foreign_key(&mut org_fk(Settings::Table, Settings::OrgId, "fk_settings_org"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserPreferences::Table)
                    .col(pk_uuid(UserPreferences::UserId))
                    .col(json(UserPreferences::Values))
                    .col(timestamp_with_time_zone(UserPreferences::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_user_preferences_user")
                            .from(UserPreferences::Table, UserPreferences::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Secrets::Table)
                    .col(pk_uuid(Secrets::Id))
                    .col(uuid(Secrets::OrgId))
                    .col(string_len(Secrets::Scope, 32))
                    .col(uuid(Secrets::OwnerId))
                    .col(string_len(Secrets::Name, 64))
                    .col(string_len_null(Secrets::Description, 2000))
                    .col(string_len(Secrets::KeyId, 64))
                    .col(binary(Secrets::Nonce))
                    .col(binary(Secrets::Ciphertext))
                    .col(timestamp_with_time_zone(Secrets::CreatedAt))
                    .col(timestamp_with_time_zone(Secrets::UpdatedAt))
                    .foreign_key(&mut org_fk(Secrets::Table, Secrets::OrgId, "fk_secrets_org"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_secrets_address")
                    .table(Secrets::Table)
                    .col(Secrets::OrgId)
                    .col(Secrets::Scope)
                    .col(Secrets::OwnerId)
                    .col(Secrets::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Re-encryption looks for values under old keys.
        manager
            .create_index(
                Index::create()
                    .name("idx_secrets_key")
                    .table(Secrets::Table)
                    .col(Secrets::KeyId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(pk_uuid(ApiKeys::Id))
                    .col(uuid(ApiKeys::OrgId))
                    .col(uuid(ApiKeys::UserId))
                    .col(string_len(ApiKeys::Name, 400))
                    .col(string_len_uniq(ApiKeys::Prefix, 32))
                    .col(string_len(ApiKeys::Hash, 64))
                    .col(json(ApiKeys::Scopes))
                    .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::RevokedAt))
                    .foreign_key(&mut org_fk(ApiKeys::Table, ApiKeys::OrgId, "fk_api_keys_org"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_api_keys_user")
                            .from(ApiKeys::Table, ApiKeys::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_api_keys_org_user")
                    .table(ApiKeys::Table)
                    .col(ApiKeys::OrgId)
                    .col(ApiKeys::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ApiKeys::Table.into_iden(),
            Secrets::Table.into_iden(),
            UserPreferences::Table.into_iden(),
            Settings::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

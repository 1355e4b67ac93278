use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_roles::Roles;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum Orgs {
    Table,
    Id,
    Name,
    /// Lowercased name of a shared org; NULL for personal orgs, whose names need not be unique.
    NameKey,
    Personal,
    ContactName,
    ContactEmail,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum Users {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    EmailVerifiedAt,
    CurrentOrgId,
    IsSuperadmin,
    TokenEpoch,
    DisabledAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum OrgMembers {
    Table,
    OrgId,
    UserId,
    Role,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Orgs::Table)
                    .col(pk_uuid(Orgs::Id))
                    .col(string_len(Orgs::Name, 200))
                    .col(string_len_null(Orgs::NameKey, 400).unique_key())
                    .col(boolean(Orgs::Personal))
                    .col(string_len_null(Orgs::ContactName, 200))
                    .col(string_len_null(Orgs::ContactEmail, 254))
                    .col(timestamp_with_time_zone(Orgs::CreatedAt))
                    .col(timestamp_with_time_zone(Orgs::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_uuid(Users::Id))
                    .col(string_len_uniq(Users::Email, 254))
                    .col(string_len(Users::Name, 200))
                    .col(text_null(Users::PasswordHash))
                    .col(timestamp_with_time_zone_null(Users::EmailVerifiedAt))
                    .col(uuid_null(Users::CurrentOrgId))
                    .col(boolean(Users::IsSuperadmin).default(false))
                    .col(big_integer(Users::TokenEpoch).default(0))
                    .col(timestamp_with_time_zone_null(Users::DisabledAt))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_users_current_org")
                            .from(Users::Table, Users::CurrentOrgId)
                            .to(Orgs::Table, Orgs::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrgMembers::Table)
                    .col(uuid(OrgMembers::OrgId))
                    .col(uuid(OrgMembers::UserId))
                    .col(string_len(OrgMembers::Role, 32))
                    .col(timestamp_with_time_zone(OrgMembers::CreatedAt))
                    .primary_key(Index::create().col(OrgMembers::OrgId).col(OrgMembers::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_org_members_org")
                            .from(OrgMembers::Table, OrgMembers::OrgId)
                            .to(Orgs::Table, Orgs::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_org_members_user")
                            .from(OrgMembers::Table, OrgMembers::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_org_members_role")
                            .from(OrgMembers::Table, OrgMembers::Role)
                            .to(Roles::Table, Roles::Name),
                    )
                    .to_owned(),
            )
            .await?;
        // "Which orgs is this user in" is asked on every org listing.
        manager
            .create_index(
                Index::create()
                    .name("idx_org_members_user")
                    .table(OrgMembers::Table)
                    .col(OrgMembers::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            OrgMembers::Table.into_iden(),
            Users::Table.into_iden(),
            Orgs::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

//! Sessions as rows of their own, so the per-request check of an access token sees logout and reuse
//! detection at once; a version on settings rows, so concurrent changes are merged, never lost.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000002_create_orgs_users_members::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Settings {
    Table,
    Version,
}

#[derive(DeriveIden)]
enum UserPreferences {
    Table,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(pk_uuid(Sessions::Id))
                    .col(uuid(Sessions::UserId))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Sessions::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sessions_user")
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sessions_user")
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .to_owned(),
            )
            .await?;
        // Every existing refresh-token family becomes a session; one revoked token revoked it.
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO sessions (id, user_id, created_at, expires_at, revoked_at) \
                 SELECT family_id, user_id, MIN(issued_at), MAX(expires_at), MAX(revoked_at) \
                 FROM refresh_tokens GROUP BY family_id, user_id",
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Settings::Table)
                    .add_column(big_integer(Settings::Version).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(UserPreferences::Table)
                    .add_column(big_integer(UserPreferences::Version).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(UserPreferences::Table)
                    .drop_column(UserPreferences::Version)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Settings::Table)
                    .drop_column(Settings::Version)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Sessions::Table).to_owned())
            .await
    }
}

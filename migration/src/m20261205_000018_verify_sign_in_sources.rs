//! Who may assert an identity: the email domains an org proved it controls, the provider each
//! session was signed in through, and when each account last proved itself (a password sign-in or
//! a verified email), so a password reset can drop single sign-on links made since; a single-use
//! token may carry which provider a sign-in came through.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OrgDomains {
    Table,
    OrgId,
    Domain,
    Challenge,
    CreatedAt,
    VerifiedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    SsoProvider,
}

#[derive(DeriveIden)]
enum OneTimeTokens {
    Table,
    Context,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    VerifiedSignInAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OrgDomains::Table)
                    .col(uuid(OrgDomains::OrgId))
                    .col(string_len(OrgDomains::Domain, 253))
                    .col(string_len(OrgDomains::Challenge, 128))
                    .col(timestamp_with_time_zone(OrgDomains::CreatedAt))
                    .col(timestamp_with_time_zone_null(OrgDomains::VerifiedAt))
                    .primary_key(Index::create().col(OrgDomains::OrgId).col(OrgDomains::Domain))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("org_domains_by_domain")
                    .table(OrgDomains::Table)
                    .col(OrgDomains::Domain)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .add_column(string_len_null(Sessions::SsoProvider, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(OneTimeTokens::Table)
                    .add_column(string_len_null(OneTimeTokens::Context, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(timestamp_with_time_zone_null(Users::VerifiedSignInAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::VerifiedSignInAt)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(OneTimeTokens::Table)
                    .drop_column(OneTimeTokens::Context)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .drop_column(Sessions::SsoProvider)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(OrgDomains::Table).to_owned())
            .await
    }
}

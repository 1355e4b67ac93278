//! Single sign-on and org sign-in policies: each org's OIDC provider (its client secret sealed under
//! the key ring), the provider identities linked to users, pending sign-ins (state, nonce and PKCE
//! verifier, single-use), how each session was signed in, and the org's policy columns.

use sea_orm_migration::{prelude::*, schema::*};

use crate::references::{belongs_to_org, belongs_to_user};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Orgs {
    Table,
    RequireMfa,
    RequireSso,
    AllowedEmailDomains,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    SignInMethod,
}

#[derive(DeriveIden)]
enum SsoProviders {
    Table,
    OrgId,
    Issuer,
    ClientId,
    SecretKeyId,
    SecretNonce,
    SecretCiphertext,
    AllowedDomains,
    DefaultRole,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SsoIdentities {
    Table,
    Issuer,
    Subject,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SsoLogins {
    Table,
    StateDigest,
    Provider,
    Nonce,
    VerifierKeyId,
    VerifierNonce,
    VerifierCiphertext,
    Redirect,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            boolean(Orgs::RequireMfa).default(false).to_owned(),
            boolean(Orgs::RequireSso).default(false).to_owned(),
            text(Orgs::AllowedEmailDomains).default("[]").to_owned(),
        ] {
            manager
                .alter_table(Table::alter().table(Orgs::Table).add_column(column).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .add_column(string_len(Sessions::SignInMethod, 16).default("password"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SsoProviders::Table)
                    .col(uuid(SsoProviders::OrgId).primary_key())
                    .col(text(SsoProviders::Issuer))
                    .col(text(SsoProviders::ClientId))
                    .col(string_len(SsoProviders::SecretKeyId, 64))
                    .col(binary(SsoProviders::SecretNonce))
                    .col(binary(SsoProviders::SecretCiphertext))
                    .col(text(SsoProviders::AllowedDomains))
                    .col(string_len(SsoProviders::DefaultRole, 16))
                    .col(timestamp_with_time_zone(SsoProviders::UpdatedAt))
                    .foreign_key(&mut belongs_to_org(SsoProviders::Table, SsoProviders::OrgId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SsoIdentities::Table)
                    .col(string_len(SsoIdentities::Issuer, 512))
                    .col(string_len(SsoIdentities::Subject, 255))
                    .col(uuid(SsoIdentities::UserId))
                    .col(timestamp_with_time_zone(SsoIdentities::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(SsoIdentities::Issuer)
                            .col(SsoIdentities::Subject),
                    )
                    .foreign_key(&mut belongs_to_user(SsoIdentities::Table, SsoIdentities::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SsoLogins::Table)
                    .col(string_len(SsoLogins::StateDigest, 128).primary_key())
                    .col(string_len(SsoLogins::Provider, 128))
                    .col(string_len(SsoLogins::Nonce, 128))
                    .col(string_len(SsoLogins::VerifierKeyId, 64))
                    .col(binary(SsoLogins::VerifierNonce))
                    .col(binary(SsoLogins::VerifierCiphertext))
                    .col(text_null(SsoLogins::Redirect))
                    .col(timestamp_with_time_zone(SsoLogins::ExpiresAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SsoLogins::Table.into_iden(),
            SsoIdentities::Table.into_iden(),
            SsoProviders::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .drop_column(Sessions::SignInMethod)
                    .to_owned(),
            )
            .await?;
        for column in [Orgs::AllowedEmailDomains, Orgs::RequireSso, Orgs::RequireMfa] {
            manager
                .alter_table(Table::alter().table(Orgs::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

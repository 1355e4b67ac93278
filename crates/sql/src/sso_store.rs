//! [`SsoStore`] on SQL: `sso_providers`, `sso_identities`, `sso_logins` and the policy columns of
//! `orgs`. A sign-in is taken by deleting its row, so a state works once under concurrency.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, OnConflict},
};
use tenantry_domain::{
    AuditEntry, DomainError, OrgId, UserId,
    domain_verification::OrgDomain,
    org_policy::{EmailDomain, OrgPolicy},
    ports::{SsoStore, StoredOrgProvider, StoredSignIn},
    secrets::Sealed,
};

use crate::{
    SqlDatabase,
    entities::{org_domains, orgs, sso_identities, sso_logins, sso_providers},
    errors::{corrupt, db_error},
    org_store::{audit, rows::role_from_row},
    transaction::begin_write,
};

/// Single sign-on in the database.
#[derive(Clone)]
pub struct SqlSsoStore {
    db: SqlDatabase,
}

impl SqlSsoStore {
    /// The store over an open database.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

/// Records `entry` and commits when the write changed something; `false`, with nothing written,
/// otherwise.
async fn commit_audited(
    txn: DatabaseTransaction,
    changed: bool,
    entry: &AuditEntry,
) -> Result<bool, DomainError> {
    if !changed {
        return Ok(false);
    }
    audit::record(&txn, entry.clone()).await?;
    txn.commit().await.map_err(db_error)?;
    Ok(true)
}

fn domains_json(domains: &[EmailDomain]) -> String {
    serde_json::Value::from(domains.iter().map(EmailDomain::as_str).collect::<Vec<_>>()).to_string()
}

fn provider_from_row(row: sso_providers::Model) -> Result<StoredOrgProvider, DomainError> {
    let domains: Vec<String> =
        serde_json::from_str(&row.allowed_domains).map_err(|_| corrupt("sso provider"))?;
    Ok(StoredOrgProvider {
        org_id: row.org_id,
        issuer: row.issuer,
        client_id: row.client_id,
        sealed_secret: Sealed {
            key_id: row.secret_key_id,
            nonce: row.secret_nonce,
            ciphertext: row.secret_ciphertext,
        },
        allowed_domains: EmailDomain::parse_list(&domains, "allowed_domains")
            .map_err(|_| corrupt("sso provider"))?,
        default_role: role_from_row(&row.default_role)?,
        updated_at: row.updated_at,
    })
}

#[async_trait]
impl SsoStore for SqlSsoStore {
    async fn put_org_provider(
        &self,
        provider: &StoredOrgProvider,
        entry: &AuditEntry,
    ) -> Result<(), DomainError> {
        use sso_providers::Column;
        let (txn, _turn) = begin_write(&self.db).await?;
        sso_providers::Entity::insert(sso_providers::ActiveModel {
            org_id: Set(provider.org_id),
            issuer: Set(provider.issuer.clone()),
            client_id: Set(provider.client_id.clone()),
            secret_key_id: Set(provider.sealed_secret.key_id.clone()),
            secret_nonce: Set(provider.sealed_secret.nonce.clone()),
            secret_ciphertext: Set(provider.sealed_secret.ciphertext.clone()),
            allowed_domains: Set(domains_json(&provider.allowed_domains)),
            default_role: Set(provider.default_role.name().to_owned()),
            updated_at: Set(provider.updated_at),
        })
        .on_conflict(
            OnConflict::column(Column::OrgId)
                .update_columns([
                    Column::Issuer,
                    Column::ClientId,
                    Column::SecretKeyId,
                    Column::SecretNonce,
                    Column::SecretCiphertext,
                    Column::AllowedDomains,
                    Column::DefaultRole,
                    Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(db_error)?;
        audit::record(&txn, entry.clone()).await?;
        txn.commit().await.map_err(db_error)
    }

    async fn org_provider(&self, org: OrgId) -> Result<Option<StoredOrgProvider>, DomainError> {
        sso_providers::Entity::find_by_id(org)
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
            .map(provider_from_row)
            .transpose()
    }

    async fn delete_org_provider(&self, org: OrgId, entry: &AuditEntry) -> Result<bool, DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        let deleted = sso_providers::Entity::delete_by_id(org)
            .exec(&txn)
            .await
            .map_err(db_error)?;
        commit_audited(txn, deleted.rows_affected > 0, entry).await
    }

    async fn set_org_policy(
        &self,
        org: OrgId,
        policy: &OrgPolicy,
        entry: &AuditEntry,
    ) -> Result<(), DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        let updated = orgs::Entity::update_many()
            .col_expr(orgs::Column::RequireMfa, Expr::value(policy.access.require_mfa))
            .col_expr(orgs::Column::RequireSso, Expr::value(policy.access.require_sso))
            .col_expr(
                orgs::Column::AllowedEmailDomains,
                Expr::value(domains_json(&policy.allowed_email_domains)),
            )
            .filter(orgs::Column::Id.eq(org))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if updated.rows_affected == 0 {
            return Err(DomainError::NotFound);
        }
        audit::record(&txn, entry.clone()).await?;
        txn.commit().await.map_err(db_error)
    }

    async fn save_sign_in(&self, sign_in: &StoredSignIn) -> Result<(), DomainError> {
        sso_logins::Entity::insert(sso_logins::ActiveModel {
            state_digest: Set(sign_in.state_digest.clone()),
            provider: Set(sign_in.provider.clone()),
            nonce: Set(sign_in.nonce.clone()),
            verifier_key_id: Set(sign_in.sealed_verifier.key_id.clone()),
            verifier_nonce: Set(sign_in.sealed_verifier.nonce.clone()),
            verifier_ciphertext: Set(sign_in.sealed_verifier.ciphertext.clone()),
            redirect: Set(sign_in.redirect.clone()),
            expires_at: Set(sign_in.expires_at),
        })
        .exec_without_returning(&self.db.conn)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn take_sign_in(
        &self,
        state_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredSignIn>, DomainError> {
        let Some(row) = sso_logins::Entity::find_by_id(state_digest.to_owned())
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
        else {
            return Ok(None);
        };
        // Whoever deletes the row took it; a racing callback with the same state finds nothing.
        let taken = sso_logins::Entity::delete_by_id(state_digest.to_owned())
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        if taken.rows_affected == 0 || row.expires_at <= now {
            return Ok(None);
        }
        Ok(Some(StoredSignIn {
            state_digest: row.state_digest,
            provider: row.provider,
            nonce: row.nonce,
            sealed_verifier: Sealed {
                key_id: row.verifier_key_id,
                nonce: row.verifier_nonce,
                ciphertext: row.verifier_ciphertext,
            },
            redirect: row.redirect,
            expires_at: row.expires_at,
        }))
    }

    async fn sweep_sign_ins(&self, now: DateTime<Utc>) -> Result<u64, DomainError> {
        let deleted = sso_logins::Entity::delete_many()
            .filter(sso_logins::Column::ExpiresAt.lte(now))
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(deleted.rows_affected)
    }

    async fn linked_user(&self, issuer: &str, subject: &str) -> Result<Option<UserId>, DomainError> {
        Ok(
            sso_identities::Entity::find_by_id((issuer.to_owned(), subject.to_owned()))
                .one(&self.db.conn)
                .await
                .map_err(db_error)?
                .map(|row| row.user_id),
        )
    }

    async fn link(
        &self,
        issuer: &str,
        subject: &str,
        user: UserId,
        at: DateTime<Utc>,
        entry: &AuditEntry,
    ) -> Result<UserId, DomainError> {
        use sso_identities::Column;
        let (txn, _turn) = begin_write(&self.db).await?;
        let inserted = sso_identities::Entity::insert(sso_identities::ActiveModel {
            issuer: Set(issuer.to_owned()),
            subject: Set(subject.to_owned()),
            user_id: Set(user),
            created_at: Set(at),
        })
        .on_conflict(
            OnConflict::columns([Column::Issuer, Column::Subject])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(db_error)?;
        if inserted == 0 {
            let existing = sso_identities::Entity::find_by_id((issuer.to_owned(), subject.to_owned()))
                .one(&txn)
                .await
                .map_err(db_error)?
                .ok_or_else(|| corrupt("sso identity"))?;
            return Ok(existing.user_id);
        }
        audit::record(&txn, entry.clone()).await?;
        txn.commit().await.map_err(db_error)?;
        Ok(user)
    }

    async fn add_org_domain(&self, domain: &OrgDomain, entry: &AuditEntry) -> Result<bool, DomainError> {
        use org_domains::Column;
        let (txn, _turn) = begin_write(&self.db).await?;
        let inserted = org_domains::Entity::insert(org_domains::ActiveModel {
            org_id: Set(domain.org_id),
            domain: Set(domain.domain.as_str().to_owned()),
            challenge: Set(domain.challenge.clone()),
            created_at: Set(domain.created_at),
            verified_at: Set(domain.verified_at),
        })
        .on_conflict(
            OnConflict::columns([Column::OrgId, Column::Domain])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(db_error)?;
        commit_audited(txn, inserted > 0, entry).await
    }

    async fn org_domains(&self, org: OrgId) -> Result<Vec<OrgDomain>, DomainError> {
        org_domains::Entity::find()
            .filter(org_domains::Column::OrgId.eq(org))
            .order_by_asc(org_domains::Column::Domain)
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(|row| {
                Ok(OrgDomain {
                    org_id: row.org_id,
                    domain: EmailDomain::parse(&row.domain, "domain").map_err(|_| corrupt("org domain"))?,
                    challenge: row.challenge,
                    created_at: row.created_at,
                    verified_at: row.verified_at,
                })
            })
            .collect()
    }

    async fn mark_domain_verified(
        &self,
        org: OrgId,
        domain: &EmailDomain,
        at: DateTime<Utc>,
        entry: &AuditEntry,
    ) -> Result<bool, DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        let updated = org_domains::Entity::update_many()
            .col_expr(org_domains::Column::VerifiedAt, Expr::value(at))
            .filter(org_domains::Column::OrgId.eq(org))
            .filter(org_domains::Column::Domain.eq(domain.as_str()))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        commit_audited(txn, updated.rows_affected > 0, entry).await
    }

    async fn delete_org_domain(
        &self,
        org: OrgId,
        domain: &EmailDomain,
        entry: &AuditEntry,
    ) -> Result<bool, DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        let deleted = org_domains::Entity::delete_many()
            .filter(org_domains::Column::OrgId.eq(org))
            .filter(org_domains::Column::Domain.eq(domain.as_str()))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        commit_audited(txn, deleted.rows_affected > 0, entry).await
    }
}

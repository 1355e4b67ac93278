//! [`MfaStore`] on SQL: `user_mfa`, `mfa_recovery_codes` and `users.mfa_enabled_at`. Steps and
//! recovery codes are claimed with conditional updates, so a code counts once under concurrency.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, EntityTrait, QueryFilter,
    sea_query::{Expr, OnConflict},
};
use tenantry_domain::{
    AuditEntry, DomainError, UserId, mfa::MfaEnrollment, new_id, ports::MfaStore, secrets::Sealed,
};

use crate::{
    SqlDatabase,
    entities::{mfa_recovery_codes, user_mfa, users},
    errors::db_error,
    org_store::audit,
    transaction::begin_write,
};

/// TOTP enrolments and recovery codes in the database.
#[derive(Clone)]
pub struct SqlMfaStore {
    db: SqlDatabase,
}

impl SqlMfaStore {
    /// The store over an open database.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

#[async_trait]
impl MfaStore for SqlMfaStore {
    async fn enrollment(&self, user: UserId) -> Result<Option<MfaEnrollment>, DomainError> {
        let row = user_mfa::Entity::find_by_id(user)
            .one(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(row.map(|row| MfaEnrollment {
            sealed_secret: Sealed {
                key_id: row.key_id,
                nonce: row.nonce,
                ciphertext: row.ciphertext,
            },
            confirmed_at: row.confirmed_at,
            last_step: row.last_step,
        }))
    }

    async fn begin(&self, user: UserId, sealed: &Sealed, now: DateTime<Utc>) -> Result<(), DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        let existing = user_mfa::Entity::find_by_id(user)
            .one(&txn)
            .await
            .map_err(db_error)?;
        if existing.is_some_and(|row| row.confirmed_at.is_some()) {
            return Err(tenantry_domain::mfa::mfa_already_on());
        }
        user_mfa::Entity::insert(user_mfa::ActiveModel {
            user_id: Set(user),
            key_id: Set(sealed.key_id.clone()),
            nonce: Set(sealed.nonce.clone()),
            ciphertext: Set(sealed.ciphertext.clone()),
            confirmed_at: Set(None),
            last_step: Set(None),
            created_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(user_mfa::Column::UserId)
                .update_columns([
                    user_mfa::Column::KeyId,
                    user_mfa::Column::Nonce,
                    user_mfa::Column::Ciphertext,
                    user_mfa::Column::LastStep,
                    user_mfa::Column::CreatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(db_error)?;
        txn.commit().await.map_err(db_error)
    }

    async fn confirm(
        &self,
        user: UserId,
        step: i64,
        recovery_digests: &[String],
        audit_entry: &AuditEntry,
    ) -> Result<(), DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        let confirmed = user_mfa::Entity::update_many()
            .col_expr(user_mfa::Column::ConfirmedAt, Expr::value(audit_entry.at))
            .col_expr(user_mfa::Column::LastStep, Expr::value(step))
            .filter(user_mfa::Column::UserId.eq(user))
            .filter(user_mfa::Column::ConfirmedAt.is_null())
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if confirmed.rows_affected == 0 {
            return Err(tenantry_domain::mfa::mfa_not_pending());
        }
        mfa_recovery_codes::Entity::delete_many()
            .filter(mfa_recovery_codes::Column::UserId.eq(user))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        mfa_recovery_codes::Entity::insert_many(recovery_digests.iter().map(|digest| {
            mfa_recovery_codes::ActiveModel {
                id: Set(new_id()),
                user_id: Set(user),
                code_digest: Set(digest.clone()),
                used_at: Set(None),
            }
        }))
        .exec_without_returning(&txn)
        .await
        .map_err(db_error)?;
        set_enabled(&txn, user, Some(audit_entry.at)).await?;
        audit::record(&txn, audit_entry.clone()).await?;
        txn.commit().await.map_err(db_error)
    }

    async fn claim_step(&self, user: UserId, step: i64) -> Result<bool, DomainError> {
        let claimed = user_mfa::Entity::update_many()
            .col_expr(user_mfa::Column::LastStep, Expr::value(step))
            .filter(user_mfa::Column::UserId.eq(user))
            .filter(
                Condition::any()
                    .add(user_mfa::Column::LastStep.is_null())
                    .add(user_mfa::Column::LastStep.lt(step)),
            )
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(claimed.rows_affected == 1)
    }

    async fn redeem_recovery_code(
        &self,
        user: UserId,
        digest: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, DomainError> {
        let redeemed = mfa_recovery_codes::Entity::update_many()
            .col_expr(mfa_recovery_codes::Column::UsedAt, Expr::value(now))
            .filter(mfa_recovery_codes::Column::UserId.eq(user))
            .filter(mfa_recovery_codes::Column::CodeDigest.eq(digest))
            .filter(mfa_recovery_codes::Column::UsedAt.is_null())
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(redeemed.rows_affected == 1)
    }

    async fn disable(&self, user: UserId, audit_entry: &AuditEntry) -> Result<(), DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        mfa_recovery_codes::Entity::delete_many()
            .filter(mfa_recovery_codes::Column::UserId.eq(user))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        user_mfa::Entity::delete_by_id(user)
            .exec(&txn)
            .await
            .map_err(db_error)?;
        set_enabled(&txn, user, None).await?;
        audit::record(&txn, audit_entry.clone()).await?;
        txn.commit().await.map_err(db_error)
    }
}

async fn set_enabled(
    txn: &sea_orm::DatabaseTransaction,
    user: UserId,
    at: Option<DateTime<Utc>>,
) -> Result<(), DomainError> {
    users::Entity::update_many()
        .col_expr(users::Column::MfaEnabledAt, Expr::value(at))
        .filter(users::Column::Id.eq(user))
        .exec(txn)
        .await
        .map_err(db_error)?;
    Ok(())
}

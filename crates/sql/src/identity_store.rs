//! The identity store: users, personal orgs, sessions and single-use tokens.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use tenantry_domain::{
    AuditEntry, DomainError, Email, OrgId, Role, User, UserId,
    credential_lifecycle::Revocation,
    ports::{Accounts, Credentials, OneTimeTokens, Sessions, StoredCredentials},
    session::{
        NewOneTimeToken, NewRefreshToken, OneTimePurpose, OneTimeTokenState, RefreshRotation, SessionSummary,
        SignInMethod,
    },
};
use uuid::Uuid;

use crate::{
    SqlDatabase,
    credential_rows::{record_verified_sign_in, revoke_credentials, revoke_sessions},
    entities::{one_time_tokens, org_members, orgs, refresh_tokens, sessions, users},
    errors::db_error,
    org_store::audit,
    transaction::begin_write,
};

/// Accounts, credentials, sessions and one-time tokens on SQL.
#[derive(Debug, Clone)]
pub struct SqlIdentityStore {
    db: SqlDatabase,
}

impl SqlIdentityStore {
    /// The store over an open database.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

pub(crate) fn user_from_row(row: users::Model) -> Result<User, DomainError> {
    Ok(User {
        id: row.id,
        email: Email::parse(&row.email).map_err(|_| DomainError::Internal("stored email invalid".into()))?,
        name: row.name,
        email_verified_at: row.email_verified_at,
        current_org_id: row.current_org_id,
        is_superadmin: row.is_superadmin,
        token_epoch: row.token_epoch,
        disabled_at: row.disabled_at,
        mfa_enabled_at: row.mfa_enabled_at,
        created_at: row.created_at,
    })
}

/// Serialises install-wide decisions (first user, superadmins): on PostgreSQL a row lock on the
/// `owner` role, which every install has; SQLite's write lock already serialises.
pub(crate) async fn lock_install(conn: &impl ConnectionTrait) -> Result<(), DomainError> {
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        conn.execute_unprepared("SELECT name FROM roles WHERE name = 'owner' FOR UPDATE")
            .await
            .map_err(db_error)?;
    }
    Ok(())
}

fn credentials_from_row(row: users::Model) -> Result<StoredCredentials, DomainError> {
    let password_hash = row.password_hash.clone();
    Ok(StoredCredentials {
        user: user_from_row(row)?,
        password_hash,
    })
}

async fn set_password_hash(
    conn: &impl ConnectionTrait,
    user_id: UserId,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<u64, DomainError> {
    let result = users::Entity::update_many()
        .col_expr(users::Column::PasswordHash, Expr::value(hash))
        .col_expr(users::Column::UpdatedAt, Expr::value(now))
        .filter(users::Column::Id.eq(user_id))
        .exec(conn)
        .await
        .map_err(db_error)?;
    Ok(result.rows_affected)
}

/// Marks an unspent, unexpired token of `purpose` spent; tells what it was otherwise.
async fn spend_one_time_token(
    conn: &impl ConnectionTrait,
    purpose: OneTimePurpose,
    digest: &str,
    now: DateTime<Utc>,
) -> Result<OneTimeTokenState, DomainError> {
    let spent = one_time_tokens::Entity::update_many()
        .col_expr(one_time_tokens::Column::UsedAt, Expr::value(now))
        .filter(one_time_tokens::Column::TokenDigest.eq(digest))
        .filter(one_time_tokens::Column::Purpose.eq(purpose.as_str()))
        .filter(one_time_tokens::Column::UsedAt.is_null())
        .filter(one_time_tokens::Column::ExpiresAt.gt(now))
        .exec(conn)
        .await
        .map_err(db_error)?;
    if spent.rows_affected == 1 {
        let row = one_time_tokens::Entity::find_by_id(digest.to_owned())
            .one(conn)
            .await
            .map_err(db_error)?
            .ok_or_else(|| DomainError::Internal("spent token vanished".into()))?;
        return Ok(OneTimeTokenState::Valid { user_id: row.user_id });
    }
    lookup_one_time_token(conn, purpose, digest, now).await
}

async fn lookup_one_time_token(
    conn: &impl ConnectionTrait,
    purpose: OneTimePurpose,
    digest: &str,
    now: DateTime<Utc>,
) -> Result<OneTimeTokenState, DomainError> {
    let row = one_time_tokens::Entity::find_by_id(digest.to_owned())
        .one(conn)
        .await
        .map_err(db_error)?;
    Ok(match row {
        Some(row) if row.purpose == purpose.as_str() && row.used_at.is_none() => {
            if row.expires_at > now {
                OneTimeTokenState::Valid { user_id: row.user_id }
            } else {
                OneTimeTokenState::Expired
            }
        }
        _ => OneTimeTokenState::Unknown,
    })
}

#[async_trait]
impl Accounts for SqlIdentityStore {
    async fn user_by_id(&self, id: UserId) -> Result<Option<User>, DomainError> {
        users::Entity::find_by_id(id)
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
            .map(user_from_row)
            .transpose()
    }

    async fn list_users(&self, limit: u64) -> Result<Vec<User>, DomainError> {
        users::Entity::find()
            .order_by_asc(users::Column::CreatedAt)
            .limit(limit)
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(user_from_row)
            .collect()
    }

    async fn personal_org(&self, user_id: UserId) -> Result<Option<OrgId>, DomainError> {
        let memberships = org_members::Entity::find()
            .filter(org_members::Column::UserId.eq(user_id))
            .filter(org_members::Column::Role.eq(Role::Owner.name()))
            .all(&self.db.conn)
            .await
            .map_err(db_error)?;
        let ids: Vec<Uuid> = memberships.into_iter().map(|member| member.org_id).collect();
        Ok(orgs::Entity::find()
            .filter(orgs::Column::Id.is_in(ids))
            .filter(orgs::Column::Personal.eq(true))
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
            .map(|org| org.id))
    }

    async fn set_disabled(
        &self,
        user_id: UserId,
        disabled_at: Option<DateTime<Utc>>,
        revocation: Option<&Revocation>,
        audit_entry: &AuditEntry,
    ) -> Result<(), DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        let updated = users::Entity::update_many()
            .col_expr(users::Column::DisabledAt, Expr::value(disabled_at))
            .filter(users::Column::Id.eq(user_id))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if updated.rows_affected == 0 {
            return Err(DomainError::NotFound);
        }
        if let Some(revocation) = revocation {
            revoke_credentials(&txn, user_id, revocation, audit_entry.at).await?;
        }
        audit::record(&txn, audit_entry.clone()).await?;
        txn.commit().await.map_err(db_error)
    }

    async fn set_name(
        &self,
        user_id: UserId,
        name: &str,
        audit_entry: &AuditEntry,
    ) -> Result<(), DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        let updated = users::Entity::update_many()
            .col_expr(users::Column::Name, Expr::value(name))
            .filter(users::Column::Id.eq(user_id))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if updated.rows_affected == 0 {
            return Err(DomainError::NotFound);
        }
        audit::record(&txn, audit_entry.clone()).await?;
        txn.commit().await.map_err(db_error)
    }

    async fn mark_email_verified(
        &self,
        user_id: UserId,
        at: DateTime<Utc>,
        audit_entry: &AuditEntry,
    ) -> Result<(), DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        let found = users::Entity::find_by_id(user_id)
            .one(&txn)
            .await
            .map_err(db_error)?
            .ok_or(DomainError::NotFound)?;
        if found.email_verified_at.is_none() {
            users::Entity::update_many()
                .col_expr(users::Column::EmailVerifiedAt, Expr::value(at))
                .filter(users::Column::Id.eq(user_id))
                .exec(&txn)
                .await
                .map_err(db_error)?;
        }
        audit::record(&txn, audit_entry.clone()).await?;
        txn.commit().await.map_err(db_error)
    }

    async fn record_verified_sign_in(&self, user_id: UserId, at: DateTime<Utc>) -> Result<(), DomainError> {
        record_verified_sign_in(&self.db.conn, user_id, at).await
    }
}

#[async_trait]
impl Credentials for SqlIdentityStore {
    async fn credentials_by_email(&self, email: &Email) -> Result<Option<StoredCredentials>, DomainError> {
        users::Entity::find()
            .filter(users::Column::Email.eq(email.as_str()))
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
            .map(credentials_from_row)
            .transpose()
    }

    async fn credentials_by_id(&self, id: UserId) -> Result<Option<StoredCredentials>, DomainError> {
        users::Entity::find_by_id(id)
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
            .map(credentials_from_row)
            .transpose()
    }

    async fn rehash_password(
        &self,
        user_id: UserId,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        set_password_hash(&self.db.conn, user_id, password_hash, now).await?;
        Ok(())
    }

    async fn change_password(
        &self,
        user_id: UserId,
        password_hash: &str,
        revocation: &Revocation,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        set_password_hash(&txn, user_id, password_hash, now).await?;
        revoke_credentials(&txn, user_id, revocation, now).await?;
        txn.commit().await.map_err(db_error)
    }
}

#[async_trait]
impl Sessions for SqlIdentityStore {
    async fn user_in_live_session(
        &self,
        user_id: UserId,
        session: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<(User, SignInMethod)>, DomainError> {
        // Every authenticated request runs this: a fixed statement (prepared once per connection)
        // instead of one built per call.
        const USER_IN_LIVE_SESSION: &str = "SELECT users.*, sessions.sign_in_method AS session_sign_in_method, \
             sessions.sso_provider AS session_sso_provider \
             FROM users JOIN sessions ON sessions.user_id = users.id \
             WHERE users.id = $1 AND sessions.id = $2 AND sessions.revoked_at IS NULL AND sessions.expires_at > $3";
        let statement = sea_orm::Statement::from_sql_and_values(
            self.db.backend(),
            USER_IN_LIVE_SESSION,
            [user_id.into(), session.into(), now.into()],
        );
        self.db
            .conn
            .query_one_raw(statement)
            .await
            .map_err(db_error)?
            .map(|row| {
                let source: Option<String> = row.try_get("", "session_sso_provider").ok().flatten();
                let method = row
                    .try_get::<String>("", "session_sign_in_method")
                    .ok()
                    .and_then(|name| SignInMethod::parse(&name, source.as_deref()))
                    .ok_or_else(|| crate::errors::corrupt("session"))?;
                users::Model::from_query_result(&row, "")
                    .map_err(|_| crate::errors::corrupt("user"))
                    .and_then(user_from_row)
                    .map(|user| (user, method))
            })
            .transpose()
    }

    async fn open_session(
        &self,
        first_token: &NewRefreshToken,
        method: SignInMethod,
    ) -> Result<(), DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        sessions::Entity::insert(sessions::ActiveModel {
            id: Set(first_token.family_id),
            user_id: Set(first_token.user_id),
            created_at: Set(first_token.issued_at),
            expires_at: Set(first_token.expires_at),
            revoked_at: Set(None),
            sign_in_method: Set(method.as_str().to_owned()),
            sso_provider: Set(method.sso_source()),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_error)?;
        refresh_tokens::Entity::insert(refresh_token_row(first_token))
            .exec_without_returning(&txn)
            .await
            .map_err(db_error)?;
        txn.commit().await.map_err(db_error)
    }

    async fn rotate_refresh_token(
        &self,
        presented_digest: &str,
        next: &NewRefreshToken,
        now: DateTime<Utc>,
    ) -> Result<RefreshRotation, DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        // The conditional update is the arbiter: of two concurrent presentations exactly one spends it.
        let spent = refresh_tokens::Entity::update_many()
            .col_expr(refresh_tokens::Column::UsedAt, Expr::value(now))
            .filter(refresh_tokens::Column::TokenDigest.eq(presented_digest))
            .filter(refresh_tokens::Column::UsedAt.is_null())
            .filter(refresh_tokens::Column::RevokedAt.is_null())
            .filter(refresh_tokens::Column::ExpiresAt.gt(now))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        let presented = refresh_tokens::Entity::find()
            .filter(refresh_tokens::Column::TokenDigest.eq(presented_digest))
            .one(&txn)
            .await
            .map_err(db_error)?;
        let Some(presented) = presented else {
            return Ok(RefreshRotation::Invalid);
        };
        let outcome = if spent.rows_affected == 1 {
            let successor = NewRefreshToken {
                user_id: presented.user_id,
                family_id: presented.family_id,
                expires_at: presented.expires_at,
                ..next.clone()
            };
            refresh_tokens::Entity::insert(refresh_token_row(&successor))
                .exec_without_returning(&txn)
                .await
                .map_err(db_error)?;
            RefreshRotation::Rotated {
                user_id: presented.user_id,
                family_id: presented.family_id,
            }
        } else if presented.used_at.is_some() || presented.revoked_at.is_some() {
            revoke_family(&txn, presented.family_id, now).await?;
            RefreshRotation::Reused
        } else {
            RefreshRotation::Invalid
        };
        txn.commit().await.map_err(db_error)?;
        Ok(outcome)
    }

    async fn revoke_refresh_family(
        &self,
        presented_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let presented = refresh_tokens::Entity::find()
            .filter(refresh_tokens::Column::TokenDigest.eq(presented_digest))
            .one(&self.db.conn)
            .await
            .map_err(db_error)?;
        if let Some(presented) = presented {
            let (txn, _turn) = begin_write(&self.db).await?;
            revoke_family(&txn, presented.family_id, now).await?;
            txn.commit().await.map_err(db_error)?;
        }
        Ok(())
    }

    async fn live_sessions(
        &self,
        user_id: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionSummary>, DomainError> {
        let rows = sessions::Entity::find()
            .filter(sessions::Column::UserId.eq(user_id))
            .filter(sessions::Column::RevokedAt.is_null())
            .filter(sessions::Column::ExpiresAt.gt(now))
            .order_by_desc(sessions::Column::CreatedAt)
            .order_by_desc(sessions::Column::Id)
            .all(&self.db.conn)
            .await
            .map_err(db_error)?;
        rows.into_iter()
            .map(|row| {
                let sign_in_method = SignInMethod::parse(&row.sign_in_method, row.sso_provider.as_deref())
                    .ok_or_else(|| crate::errors::corrupt("session"))?;
                Ok(SessionSummary {
                    id: row.id,
                    created_at: row.created_at,
                    expires_at: row.expires_at,
                    sign_in_method,
                })
            })
            .collect()
    }

    async fn end_session(
        &self,
        user_id: UserId,
        session: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool, DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        let live = sessions::Entity::find()
            .filter(sessions::Column::Id.eq(session))
            .filter(sessions::Column::UserId.eq(user_id))
            .filter(sessions::Column::RevokedAt.is_null())
            .filter(sessions::Column::ExpiresAt.gt(now))
            .one(&txn)
            .await
            .map_err(db_error)?
            .is_some();
        if live {
            revoke_family(&txn, session, now).await?;
        }
        txn.commit().await.map_err(db_error)?;
        Ok(live)
    }

    async fn revoke_all_sessions(&self, user_id: UserId, now: DateTime<Utc>) -> Result<(), DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        revoke_sessions(&txn, user_id, None, now).await?;
        txn.commit().await.map_err(db_error)
    }
}

#[async_trait]
impl OneTimeTokens for SqlIdentityStore {
    async fn insert_one_time_token(&self, token: &NewOneTimeToken) -> Result<(), DomainError> {
        one_time_tokens::Entity::insert(one_time_tokens::ActiveModel {
            token_digest: Set(token.token_digest.clone()),
            user_id: Set(token.user_id),
            purpose: Set(token.purpose.as_str().to_owned()),
            created_at: Set(token.created_at),
            expires_at: Set(token.expires_at),
            used_at: Set(None),
            context: Set(token.context.clone()),
        })
        .exec_without_returning(&self.db.conn)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn one_time_token_context(
        &self,
        purpose: OneTimePurpose,
        token_digest: &str,
    ) -> Result<Option<String>, DomainError> {
        Ok(one_time_tokens::Entity::find_by_id(token_digest.to_owned())
            .filter(one_time_tokens::Column::Purpose.eq(purpose.as_str()))
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
            .and_then(|row| row.context))
    }

    async fn verify_email(
        &self,
        token_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<OneTimeTokenState, DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        let state = spend_one_time_token(&txn, OneTimePurpose::VerifyEmail, token_digest, now).await?;
        if let OneTimeTokenState::Valid { user_id } = state {
            users::Entity::update_many()
                .col_expr(users::Column::EmailVerifiedAt, Expr::value(now))
                .col_expr(users::Column::UpdatedAt, Expr::value(now))
                .filter(users::Column::Id.eq(user_id))
                .exec(&txn)
                .await
                .map_err(db_error)?;
        }
        txn.commit().await.map_err(db_error)?;
        Ok(state)
    }

    async fn reset_password(
        &self,
        token_digest: &str,
        password_hash: &str,
        revocation: &Revocation,
        now: DateTime<Utc>,
    ) -> Result<OneTimeTokenState, DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        let state = spend_one_time_token(&txn, OneTimePurpose::ResetPassword, token_digest, now).await?;
        if let OneTimeTokenState::Valid { user_id } = state {
            set_password_hash(&txn, user_id, password_hash, now).await?;
            // Links are judged against the proof before this reset, then the reset is the proof.
            revoke_credentials(&txn, user_id, revocation, now).await?;
            record_verified_sign_in(&txn, user_id, now).await?;
            one_time_tokens::Entity::update_many()
                .col_expr(one_time_tokens::Column::UsedAt, Expr::value(now))
                .filter(one_time_tokens::Column::UserId.eq(user_id))
                .filter(one_time_tokens::Column::Purpose.eq(OneTimePurpose::ResetPassword.as_str()))
                .filter(one_time_tokens::Column::UsedAt.is_null())
                .exec(&txn)
                .await
                .map_err(db_error)?;
        }
        txn.commit().await.map_err(db_error)?;
        Ok(state)
    }

    async fn peek_one_time_token(
        &self,
        purpose: OneTimePurpose,
        token_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<OneTimeTokenState, DomainError> {
        lookup_one_time_token(&self.db.conn, purpose, token_digest, now).await
    }

    async fn spend_one_time_token(
        &self,
        purpose: OneTimePurpose,
        token_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<OneTimeTokenState, DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        let state = spend_one_time_token(&txn, purpose, token_digest, now).await?;
        txn.commit().await.map_err(db_error)?;
        Ok(state)
    }
}

fn refresh_token_row(token: &NewRefreshToken) -> refresh_tokens::ActiveModel {
    refresh_tokens::ActiveModel {
        id: Set(token.id),
        user_id: Set(token.user_id),
        family_id: Set(token.family_id),
        token_digest: Set(token.token_digest.clone()),
        issued_at: Set(token.issued_at),
        expires_at: Set(token.expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
    }
}

/// Revokes every refresh token of the family and ends its session.
async fn revoke_family(
    conn: &impl ConnectionTrait,
    family_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(now))
        .filter(sessions::Column::Id.eq(family_id))
        .filter(sessions::Column::RevokedAt.is_null())
        .exec(conn)
        .await
        .map_err(db_error)?;
    refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
        .filter(refresh_tokens::Column::FamilyId.eq(family_id))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(conn)
        .await
        .map_err(db_error)?;
    Ok(())
}

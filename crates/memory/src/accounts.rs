//! Accounts, credentials, sessions and one-time tokens, in memory.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::{
    DomainError, Email, OrgId, Role, User, UserId,
    credential_lifecycle::Revocation,
    ports::{Accounts, Credentials, OneTimeTokens, Sessions, StoredCredentials},
    session::{
        NewOneTimeToken, NewRefreshToken, OneTimePurpose, OneTimeTokenState, RefreshRotation, SessionSummary,
        SignInMethod,
    },
};
use uuid::Uuid;

use crate::{
    MemoryStore,
    credentials::{revoke_credentials, revoke_sessions},
    tables::{OneTimeTokenRow, RefreshTokenRow, SessionRow, Tables, UserRow},
};

fn revoke_family(tables: &mut Tables, family: Uuid, now: DateTime<Utc>) {
    if let Some(session) = tables.sessions.get_mut(&family) {
        session.revoked_at.get_or_insert(now);
    }
    for token in tables.refresh_tokens.values_mut() {
        if token.family_id == family && token.revoked_at.is_none() {
            token.revoked_at = Some(now);
        }
    }
}

fn token_state(
    row: Option<&OneTimeTokenRow>,
    purpose: OneTimePurpose,
    now: DateTime<Utc>,
) -> OneTimeTokenState {
    match row {
        Some(row) if row.purpose == purpose && row.spent_at.is_none() => {
            if row.expires_at > now {
                OneTimeTokenState::Valid { user_id: row.user_id }
            } else {
                OneTimeTokenState::Expired
            }
        }
        _ => OneTimeTokenState::Unknown,
    }
}

/// Spends a valid token of `purpose`; says what it was either way.
fn spend(
    tables: &mut Tables,
    purpose: OneTimePurpose,
    digest: &str,
    now: DateTime<Utc>,
) -> OneTimeTokenState {
    let state = token_state(tables.one_time_tokens.get(digest), purpose, now);
    if let (OneTimeTokenState::Valid { .. }, Some(row)) = (state, tables.one_time_tokens.get_mut(digest)) {
        row.spent_at = Some(now);
    }
    state
}

fn credentials(row: &UserRow) -> StoredCredentials {
    StoredCredentials {
        user: row.user.clone(),
        password_hash: row.password_hash.clone(),
    }
}

#[async_trait]
impl Accounts for MemoryStore {
    async fn user_by_id(&self, id: UserId) -> Result<Option<User>, DomainError> {
        Ok(self
            .read(|tables| tables.users.get(&id).map(|row| row.user.clone()))
            .await)
    }

    async fn list_users(&self, limit: u64) -> Result<Vec<User>, DomainError> {
        Ok(self
            .read(|tables| {
                let mut users: Vec<User> = tables.users.values().map(|row| row.user.clone()).collect();
                users.sort_by_key(|user| user.created_at);
                users.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
                users
            })
            .await)
    }

    async fn personal_org(&self, user_id: UserId) -> Result<Option<OrgId>, DomainError> {
        // As on SQL: only a personal org the user owns counts.
        Ok(self
            .read(|tables| {
                tables
                    .members
                    .iter()
                    .filter(|((_, member), row)| *member == user_id && row.role == Role::Owner)
                    .map(|((org, _), _)| *org)
                    .find(|org| tables.orgs.get(org).is_some_and(|org| org.personal))
            })
            .await)
    }

    async fn set_disabled(
        &self,
        user_id: UserId,
        disabled_at: Option<DateTime<Utc>>,
        revocation: Option<&Revocation>,
        audit: &tenantry_domain::AuditEntry,
    ) -> Result<(), DomainError> {
        self.write(|tables| {
            let row = tables.users.get_mut(&user_id).ok_or(DomainError::NotFound)?;
            row.user.disabled_at = disabled_at;
            if let Some(revocation) = revocation {
                revoke_credentials(tables, user_id, revocation, audit.at);
            }
            tables.audit.push(audit.clone());
            Ok(())
        })
        .await
    }

    async fn mark_email_verified(
        &self,
        user_id: UserId,
        at: DateTime<Utc>,
        audit: &tenantry_domain::AuditEntry,
    ) -> Result<(), DomainError> {
        self.write(|tables| {
            let row = tables.users.get_mut(&user_id).ok_or(DomainError::NotFound)?;
            row.user.email_verified_at.get_or_insert(at);
            tables.audit.push(audit.clone());
            Ok(())
        })
        .await
    }

    async fn set_name(
        &self,
        user_id: UserId,
        name: &str,
        audit: &tenantry_domain::AuditEntry,
    ) -> Result<(), DomainError> {
        self.write(|tables| {
            let row = tables.users.get_mut(&user_id).ok_or(DomainError::NotFound)?;
            row.user.name = name.to_owned();
            tables.audit.push(audit.clone());
            Ok(())
        })
        .await
    }

    async fn record_verified_sign_in(&self, user_id: UserId, at: DateTime<Utc>) -> Result<(), DomainError> {
        self.write(|tables| {
            if let Some(row) = tables.users.get_mut(&user_id) {
                row.verified_sign_in_at = Some(at);
            }
        })
        .await;
        Ok(())
    }
}

#[async_trait]
impl Credentials for MemoryStore {
    async fn credentials_by_email(&self, email: &Email) -> Result<Option<StoredCredentials>, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .users
                    .values()
                    .find(|row| row.user.email == *email)
                    .map(credentials)
            })
            .await)
    }

    async fn credentials_by_id(&self, id: UserId) -> Result<Option<StoredCredentials>, DomainError> {
        Ok(self.read(|tables| tables.users.get(&id).map(credentials)).await)
    }

    async fn rehash_password(
        &self,
        user_id: UserId,
        password_hash: &str,
        _now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        self.write(|tables| {
            if let Some(row) = tables.users.get_mut(&user_id) {
                row.password_hash = Some(password_hash.to_owned());
            }
        })
        .await;
        Ok(())
    }

    async fn change_password(
        &self,
        user_id: UserId,
        password_hash: &str,
        revocation: &Revocation,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        self.write(|tables| {
            if let Some(row) = tables.users.get_mut(&user_id) {
                row.password_hash = Some(password_hash.to_owned());
            }
            revoke_credentials(tables, user_id, revocation, now);
        })
        .await;
        Ok(())
    }
}

#[async_trait]
impl Sessions for MemoryStore {
    async fn user_in_live_session(
        &self,
        user_id: UserId,
        session: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<(User, SignInMethod)>, DomainError> {
        Ok(self
            .read(|tables| {
                let method = tables
                    .sessions
                    .get(&session)
                    .filter(|row| row.user_id == user_id && row.revoked_at.is_none() && row.expires_at > now)
                    .map(|row| row.sign_in_method)?;
                tables.users.get(&user_id).map(|row| (row.user.clone(), method))
            })
            .await)
    }

    async fn open_session(
        &self,
        first_token: &NewRefreshToken,
        method: SignInMethod,
    ) -> Result<(), DomainError> {
        self.write(|tables| {
            tables.sessions.insert(
                first_token.family_id,
                SessionRow {
                    user_id: first_token.user_id,
                    created_at: first_token.issued_at,
                    expires_at: first_token.expires_at,
                    revoked_at: None,
                    sign_in_method: method,
                },
            );
            tables
                .refresh_tokens
                .insert(first_token.token_digest.clone(), refresh_row(first_token));
        })
        .await;
        Ok(())
    }

    async fn rotate_refresh_token(
        &self,
        presented_digest: &str,
        next: &NewRefreshToken,
        now: DateTime<Utc>,
    ) -> Result<RefreshRotation, DomainError> {
        Ok(self
            .write(|tables| {
                let Some(presented) = tables.refresh_tokens.get(presented_digest).cloned() else {
                    return RefreshRotation::Invalid;
                };
                let live = presented.spent_at.is_none() && presented.revoked_at.is_none();
                if live && presented.expires_at > now {
                    if let Some(token) = tables.refresh_tokens.get_mut(presented_digest) {
                        token.spent_at = Some(now);
                    }
                    let successor = NewRefreshToken {
                        user_id: presented.user_id,
                        family_id: presented.family_id,
                        expires_at: presented.expires_at,
                        ..next.clone()
                    };
                    tables
                        .refresh_tokens
                        .insert(successor.token_digest.clone(), refresh_row(&successor));
                    RefreshRotation::Rotated {
                        user_id: presented.user_id,
                        family_id: presented.family_id,
                    }
                } else if !live {
                    revoke_family(tables, presented.family_id, now);
                    RefreshRotation::Reused
                } else {
                    RefreshRotation::Invalid
                }
            })
            .await)
    }

    async fn revoke_refresh_family(
        &self,
        presented_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        self.write(|tables| {
            if let Some(family) = tables
                .refresh_tokens
                .get(presented_digest)
                .map(|token| token.family_id)
            {
                revoke_family(tables, family, now);
            }
        })
        .await;
        Ok(())
    }

    async fn live_sessions(
        &self,
        user_id: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionSummary>, DomainError> {
        let mut live: Vec<SessionSummary> = self
            .read(|tables| {
                tables
                    .sessions
                    .iter()
                    .filter(|(_, row)| {
                        row.user_id == user_id && row.revoked_at.is_none() && row.expires_at > now
                    })
                    .map(|(id, row)| SessionSummary {
                        id: *id,
                        created_at: row.created_at,
                        expires_at: row.expires_at,
                        sign_in_method: row.sign_in_method,
                    })
                    .collect()
            })
            .await;
        live.sort_by_key(|session| std::cmp::Reverse((session.created_at, session.id)));
        Ok(live)
    }

    async fn end_session(
        &self,
        user_id: UserId,
        session: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool, DomainError> {
        Ok(self
            .write(|tables| {
                let live = tables.sessions.get(&session).is_some_and(|row| {
                    row.user_id == user_id && row.revoked_at.is_none() && row.expires_at > now
                });
                if live {
                    revoke_family(tables, session, now);
                }
                live
            })
            .await)
    }

    async fn revoke_all_sessions(&self, user_id: UserId, now: DateTime<Utc>) -> Result<(), DomainError> {
        self.write(|tables| revoke_sessions(tables, user_id, None, now))
            .await;
        Ok(())
    }
}

fn refresh_row(token: &NewRefreshToken) -> RefreshTokenRow {
    RefreshTokenRow {
        user_id: token.user_id,
        family_id: token.family_id,
        expires_at: token.expires_at,
        spent_at: None,
        revoked_at: None,
    }
}

#[async_trait]
impl OneTimeTokens for MemoryStore {
    async fn insert_one_time_token(&self, token: &NewOneTimeToken) -> Result<(), DomainError> {
        self.write(|tables| {
            tables.one_time_tokens.insert(
                token.token_digest.clone(),
                OneTimeTokenRow {
                    user_id: token.user_id,
                    purpose: token.purpose,
                    context: token.context.clone(),
                    expires_at: token.expires_at,
                    spent_at: None,
                },
            );
        })
        .await;
        Ok(())
    }

    async fn one_time_token_context(
        &self,
        purpose: OneTimePurpose,
        token_digest: &str,
    ) -> Result<Option<String>, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .one_time_tokens
                    .get(token_digest)
                    .filter(|row| row.purpose == purpose)
                    .and_then(|row| row.context.clone())
            })
            .await)
    }

    async fn verify_email(
        &self,
        token_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<OneTimeTokenState, DomainError> {
        Ok(self
            .write(|tables| {
                let state = spend(tables, OneTimePurpose::VerifyEmail, token_digest, now);
                if let OneTimeTokenState::Valid { user_id } = state
                    && let Some(row) = tables.users.get_mut(&user_id)
                {
                    row.user.email_verified_at = Some(now);
                }
                state
            })
            .await)
    }

    async fn reset_password(
        &self,
        token_digest: &str,
        password_hash: &str,
        revocation: &Revocation,
        now: DateTime<Utc>,
    ) -> Result<OneTimeTokenState, DomainError> {
        Ok(self
            .write(|tables| {
                let state = spend(tables, OneTimePurpose::ResetPassword, token_digest, now);
                if let OneTimeTokenState::Valid { user_id } = state {
                    if let Some(row) = tables.users.get_mut(&user_id) {
                        row.password_hash = Some(password_hash.to_owned());
                    }
                    revoke_credentials(tables, user_id, revocation, now);
                    if let Some(row) = tables.users.get_mut(&user_id) {
                        row.verified_sign_in_at = Some(now);
                    }
                    for token in tables.one_time_tokens.values_mut() {
                        if token.user_id == user_id
                            && token.purpose == OneTimePurpose::ResetPassword
                            && token.spent_at.is_none()
                        {
                            token.spent_at = Some(now);
                        }
                    }
                }
                state
            })
            .await)
    }

    async fn peek_one_time_token(
        &self,
        purpose: OneTimePurpose,
        token_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<OneTimeTokenState, DomainError> {
        Ok(self
            .read(|tables| token_state(tables.one_time_tokens.get(token_digest), purpose, now))
            .await)
    }

    async fn spend_one_time_token(
        &self,
        purpose: OneTimePurpose,
        token_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<OneTimeTokenState, DomainError> {
        Ok(self
            .write(|tables| spend(tables, purpose, token_digest, now))
            .await)
    }
}

//! Revoking the credentials an account minted, inside the caller's transaction: the rows of
//! [`Revocation`], which the domain decides.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};
use tenantry_domain::{DomainError, UserId, credential_lifecycle::Revocation};
use uuid::Uuid;

use crate::{
    entities::{api_keys, conversation_shares, refresh_tokens, sandboxes, sessions, sso_identities, users},
    errors::db_error,
};

/// Revokes what `revocation` names of `user`'s credentials, for good.
pub(crate) async fn revoke_credentials(
    conn: &impl ConnectionTrait,
    user: UserId,
    revocation: &Revocation,
    at: DateTime<Utc>,
) -> Result<(), DomainError> {
    if revocation.sessions {
        revoke_sessions(conn, user, revocation.keep_session, at).await?;
    }
    if revocation.api_keys {
        let mut keys = api_keys::Entity::update_many()
            .col_expr(api_keys::Column::RevokedAt, Expr::value(at))
            .filter(api_keys::Column::UserId.eq(user))
            .filter(api_keys::Column::RevokedAt.is_null());
        if let Some(org) = revocation.org {
            keys = keys.filter(api_keys::Column::OrgId.eq(org));
        }
        keys.exec(conn).await.map_err(db_error)?;
    }
    if revocation.sandbox_keys {
        let mut boxes = sandboxes::Entity::update_many()
            .col_expr(sandboxes::Column::RevokedAt, Expr::value(at))
            .filter(sandboxes::Column::CreatedBy.eq(user))
            .filter(sandboxes::Column::RevokedAt.is_null());
        if let Some(org) = revocation.org {
            boxes = boxes.filter(sandboxes::Column::OrgId.eq(org));
        }
        boxes.exec(conn).await.map_err(db_error)?;
    }
    if revocation.share_links {
        let mut shares = conversation_shares::Entity::update_many()
            .col_expr(conversation_shares::Column::RevokedAt, Expr::value(at))
            .filter(conversation_shares::Column::CreatedBy.eq(user))
            .filter(conversation_shares::Column::RevokedAt.is_null());
        if let Some(org) = revocation.org {
            shares = shares.filter(conversation_shares::Column::OrgId.eq(org));
        }
        shares.exec(conn).await.map_err(db_error)?;
    }
    if revocation.sso_links_since_verified_sign_in {
        let proven = users::Entity::find_by_id(user)
            .one(conn)
            .await
            .map_err(db_error)?
            .map(|row| row.verified_sign_in_at.unwrap_or(row.created_at));
        if let Some(proven) = proven {
            sso_identities::Entity::delete_many()
                .filter(sso_identities::Column::UserId.eq(user))
                .filter(sso_identities::Column::CreatedAt.gt(proven))
                .exec(conn)
                .await
                .map_err(db_error)?;
        }
    }
    Ok(())
}

/// Records that `user` proved themselves at `at`.
pub(crate) async fn record_verified_sign_in(
    conn: &impl ConnectionTrait,
    user: UserId,
    at: DateTime<Utc>,
) -> Result<(), DomainError> {
    users::Entity::update_many()
        .col_expr(users::Column::VerifiedSignInAt, Expr::value(at))
        .filter(users::Column::Id.eq(user))
        .exec(conn)
        .await
        .map_err(db_error)?;
    Ok(())
}

/// Bumps the user's token epoch (stales every access token) and revokes refresh-token families,
/// but `keep_family`'s.
pub(crate) async fn revoke_sessions(
    conn: &impl ConnectionTrait,
    user_id: UserId,
    keep_family: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    users::Entity::update_many()
        .col_expr(
            users::Column::TokenEpoch,
            Expr::col(users::Column::TokenEpoch).add(1),
        )
        .col_expr(users::Column::UpdatedAt, Expr::value(now))
        .filter(users::Column::Id.eq(user_id))
        .exec(conn)
        .await
        .map_err(db_error)?;
    let mut revoke = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
        .filter(refresh_tokens::Column::UserId.eq(user_id))
        .filter(refresh_tokens::Column::RevokedAt.is_null());
    let mut end = sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(now))
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::RevokedAt.is_null());
    if let Some(family) = keep_family {
        revoke = revoke.filter(refresh_tokens::Column::FamilyId.ne(family));
        end = end.filter(sessions::Column::Id.ne(family));
    }
    revoke.exec(conn).await.map_err(db_error)?;
    end.exec(conn).await.map_err(db_error)?;
    Ok(())
}

//! Revoking the credentials an account minted, in memory: the rows of [`Revocation`].

use chrono::{DateTime, Utc};
use tenantry_domain::{UserId, credential_lifecycle::Revocation};
use uuid::Uuid;

use crate::tables::Tables;

/// Revokes what `revocation` names of `user`'s credentials, for good.
pub(crate) fn revoke_credentials(
    tables: &mut Tables,
    user: UserId,
    revocation: &Revocation,
    at: DateTime<Utc>,
) {
    let in_scope = |org| revocation.org.is_none_or(|scope| scope == org);
    if revocation.sessions {
        revoke_sessions(tables, user, revocation.keep_session, at);
    }
    if revocation.api_keys {
        for key in tables.api_keys.values_mut() {
            if key.user_id == user && in_scope(key.org_id) && key.revoked_at.is_none() {
                key.revoked_at = Some(at);
            }
        }
    }
    if revocation.sandbox_keys {
        for sandbox in tables.sandboxes.values_mut() {
            if sandbox.created_by == user && in_scope(sandbox.org_id) && sandbox.revoked_at.is_none() {
                sandbox.revoked_at = Some(at);
            }
        }
    }
    if revocation.share_links {
        for (share, _) in tables.shares.values_mut() {
            if share.created_by == user && in_scope(share.org_id) && share.revoked_at.is_none() {
                share.revoked_at = Some(at);
            }
        }
    }
    if revocation.sso_links_since_verified_sign_in
        && let Some(row) = tables.users.get(&user)
    {
        let proven = row.verified_sign_in_at.unwrap_or(row.user.created_at);
        tables
            .sso_identities
            .retain(|_, (linked, linked_at)| *linked != user || *linked_at <= proven);
    }
}

/// Bumps the user's token epoch and revokes their sessions and refresh tokens, but `keep`'s.
pub(crate) fn revoke_sessions(tables: &mut Tables, user: UserId, keep: Option<Uuid>, now: DateTime<Utc>) {
    if let Some(row) = tables.users.get_mut(&user) {
        row.user.token_epoch += 1;
    }
    for token in tables.refresh_tokens.values_mut() {
        if token.user_id == user && token.revoked_at.is_none() && Some(token.family_id) != keep {
            token.revoked_at = Some(now);
        }
    }
    for (id, session) in &mut tables.sessions {
        if session.user_id == user && session.revoked_at.is_none() && Some(*id) != keep {
            session.revoked_at = Some(now);
        }
    }
}

//! When an access token stands for a caller: its session is live (not revoked, not expired), its
//! user is enabled, and the user's token epoch is still the token's. The store reports the session's
//! holder, found only while the session is live; this decides the rest.

use crate::{
    Caller, DomainError, User,
    identity::session::{AccessClaims, SignInMethod},
    ports::InSession,
    sign_in::org_policy::MemberAccess,
};

fn session_ended() -> DomainError {
    DomainError::Unauthorized("session ended")
}

/// The caller `claims` stand for, given the holder the store found for their session (`None`: the
/// session is revoked, expired or unknown).
pub fn confirm_session(
    claims: &AccessClaims,
    holder: Option<(User, SignInMethod)>,
) -> Result<Caller, DomainError> {
    let (user, method) = match holder {
        Some((user, method)) if user.disabled_at.is_none() => (user, method),
        Some(_) => return Err(DomainError::Unauthorized("unknown or disabled user")),
        None => return Err(session_ended()),
    };
    if user.token_epoch != claims.epoch {
        return Err(DomainError::Unauthorized("token revoked"));
    }
    Ok(Caller::person(user, Some(claims.session_id)).signed_in_with(method))
}

/// The caller `claims` stand for, with the access and data of a read made in their session (`None`:
/// the session was not live, so nothing was read).
pub fn confirm_read<T>(
    claims: &AccessClaims,
    read: Option<InSession<T>>,
) -> Result<(Caller, Option<MemberAccess>, T), DomainError> {
    match read {
        Some(InSession { holder, access, data }) => {
            Ok((confirm_session(claims, Some(holder))?, access, data))
        }
        None => Err(session_ended()),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::{Email, new_id};

    fn user(epoch: i64, disabled: bool) -> User {
        User {
            id: new_id(),
            email: Email::parse("a@example.com").expect("email"),
            name: "A".into(),
            email_verified_at: None,
            current_org_id: None,
            is_superadmin: false,
            token_epoch: epoch,
            disabled_at: disabled.then(Utc::now),
            mfa_enabled_at: None,
            created_at: Utc::now(),
        }
    }

    fn claims_for(user: &User, epoch: i64) -> AccessClaims {
        AccessClaims {
            user_id: user.id,
            session_id: new_id(),
            epoch,
        }
    }

    #[test]
    fn a_live_session_of_an_enabled_user_at_the_same_epoch_is_its_caller() {
        let user = user(3, false);
        let claims = claims_for(&user, 3);
        let caller = confirm_session(
            &claims,
            Some((
                user.clone(),
                SignInMethod::Sso(crate::identity::session::SsoSource::Install),
            )),
        )
        .expect("caller");
        assert_eq!(caller.user.id, user.id);
        assert_eq!(caller.session_id, Some(claims.session_id));
        assert_eq!(
            caller.signed_in_with,
            Some(SignInMethod::Sso(crate::identity::session::SsoSource::Install))
        );
        assert!(caller.api_key.is_none());
    }

    #[test]
    fn an_ended_session_a_disabled_user_or_an_old_epoch_is_unauthorized() {
        let enabled = user(3, false);
        let disabled = user(3, true);
        let ended = confirm_session(&claims_for(&enabled, 3), None);
        let off = confirm_session(
            &claims_for(&disabled, 3),
            Some((disabled, SignInMethod::Password)),
        );
        let stale = confirm_session(&claims_for(&enabled, 2), Some((enabled, SignInMethod::Password)));
        assert!(matches!(ended, Err(DomainError::Unauthorized("session ended"))));
        assert!(matches!(
            off,
            Err(DomainError::Unauthorized("unknown or disabled user"))
        ));
        assert!(matches!(stale, Err(DomainError::Unauthorized("token revoked"))));
    }
}

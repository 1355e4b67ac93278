//! Rule: who may use the operator API. Being a superadmin is a permission of its own — no org role
//! implies it — exercised by the person (never an API key), and, for an operator with a second
//! factor, only from a sign-in recent enough that the factor was just proved.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::{Caller, DomainError};

/// How recent an operator's sign-in must be when they have two-factor sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreshSignIn(pub Duration);

/// May `caller` act as an operator at `now`, their session having begun at `session_began` (`None`:
/// no session, e.g. a no-auth install's local user)?
pub fn require_operator(
    caller: &Caller,
    session_began: Option<DateTime<Utc>>,
    fresh: FreshSignIn,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    caller.require_person()?;
    if !caller.user.is_superadmin {
        return Err(DomainError::refused(
            "superadmin_required",
            "Only the install's superadmins use the operator API.",
        ));
    }
    if caller.user.mfa_enabled_at.is_some() {
        let window = chrono::Duration::from_std(fresh.0).unwrap_or(chrono::Duration::MAX);
        let fresh_enough = session_began.is_some_and(|began| now - began <= window);
        if !fresh_enough {
            return Err(DomainError::refused(
                "reauthentication_required",
                format!(
                    "Sign in again with your second factor: operator actions need a sign-in from the last {} minutes.",
                    fresh.0.as_secs() / 60
                ),
            ));
        }
    }
    Ok(())
}

/// An operator may not disable their own account: the install could lose its last way in.
pub fn may_disable(operator: crate::UserId, target: crate::UserId) -> Result<(), DomainError> {
    if operator == target {
        return Err(DomainError::conflict(
            "cannot_disable_self",
            "Operators cannot disable their own account; ask another superadmin.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Email, User, new_id};

    fn caller(superadmin: bool, mfa: bool) -> Caller {
        let now = Utc::now();
        Caller::person(
            User {
                id: new_id(),
                email: Email::parse("op@example.com").unwrap(),
                name: "Op".into(),
                email_verified_at: Some(now),
                current_org_id: None,
                is_superadmin: superadmin,
                token_epoch: 0,
                disabled_at: None,
                mfa_enabled_at: mfa.then_some(now),
                created_at: now,
            },
            Some(new_id()),
        )
    }

    const FRESH: FreshSignIn = FreshSignIn(Duration::from_secs(900));

    fn code(result: Result<(), DomainError>) -> &'static str {
        match result {
            Ok(()) => "ok",
            Err(DomainError::Refused { code, .. }) => code,
            Err(DomainError::Forbidden) => "forbidden",
            Err(_) => "other",
        }
    }

    #[test]
    fn members_of_every_role_are_not_operators() {
        let now = Utc::now();
        assert_eq!(
            code(require_operator(&caller(false, false), Some(now), FRESH, now)),
            "superadmin_required"
        );
    }

    #[test]
    fn a_superadmin_without_mfa_is_an_operator() {
        let now = Utc::now();
        let old = now - chrono::Duration::days(20);
        assert_eq!(
            code(require_operator(&caller(true, false), Some(old), FRESH, now)),
            "ok"
        );
    }

    #[test]
    fn with_mfa_only_a_fresh_sign_in_counts() {
        let now = Utc::now();
        let recent = now - chrono::Duration::minutes(5);
        let stale = now - chrono::Duration::minutes(16);
        let operator = caller(true, true);
        assert_eq!(code(require_operator(&operator, Some(recent), FRESH, now)), "ok");
        assert_eq!(
            code(require_operator(&operator, Some(stale), FRESH, now)),
            "reauthentication_required"
        );
        assert_eq!(
            code(require_operator(&operator, None, FRESH, now)),
            "reauthentication_required"
        );
    }
}

//! The rules for accepting an invitation, and for who may join an org at all.
//!
//! The org service reads the facts inside one transaction (invitation row and org locked) and lets
//! [`decide_acceptance`] decide; direct adds ask [`decide_joining`].

use chrono::{DateTime, Utc};

use crate::{
    DomainError, Role, orgs::last_owner::personal_org_conflict, orgs::membership_rules::decide_addition,
};

/// Whether only accounts with a verified email may join orgs (`orgs.require_verified_email`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JoiningPolicy {
    /// Unverified accounts are refused with 409 `email_unverified`.
    pub require_verified_email: bool,
}

/// May this account join an org (directly or by invitation)?
pub fn decide_joining(policy: JoiningPolicy, email_verified: bool) -> Result<(), DomainError> {
    if policy.require_verified_email && !email_verified {
        return Err(DomainError::conflict(
            "email_unverified",
            "The account's email address is not verified yet; it can join once it is.",
        ));
    }
    Ok(())
}

/// What is known about an invitation when someone accepts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptanceFacts {
    /// The role it grants.
    pub role: Role,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// Whether the invited email is the accepting account's.
    pub email_matches: bool,
    /// Whether the accepting account's email is verified.
    pub email_verified: bool,
    /// Whether the org is a personal org.
    pub personal: bool,
    /// Whether the accepting account is a member already.
    pub already_member: bool,
    /// The inviter's role in the org now (`None`: no longer a member, or the account is gone).
    pub inviter_role_now: Option<Role>,
    /// Whether the accepting account's email is in the org's allowed domains now (the policy may
    /// have changed since the invitation was sent).
    pub email_domain_allowed: bool,
}

/// May the invitation be accepted at `now`? Returns the role the new member gets.
///
/// An invitation carries its inviter's authority only while the inviter still holds it: an inviter
/// who left, was removed, or now ranks below the granted role has revoked it (410
/// `invitation_revoked`).
pub fn decide_acceptance(
    facts: &AcceptanceFacts,
    policy: JoiningPolicy,
    now: DateTime<Utc>,
) -> Result<Role, DomainError> {
    if facts.expires_at <= now {
        return Err(DomainError::Gone {
            code: "invitation_expired",
        });
    }
    if !facts.email_matches {
        return Err(DomainError::refused(
            "forbidden",
            "This invitation is addressed to another email address: sign in with that address to accept it.",
        ));
    }
    if facts.personal {
        return Err(personal_org_conflict());
    }
    let revoked = || DomainError::Gone {
        code: "invitation_revoked",
    };
    let inviter = facts.inviter_role_now.ok_or_else(revoked)?;
    decide_addition(inviter, facts.role, facts.personal).map_err(|_| revoked())?;
    if facts.already_member {
        return Err(DomainError::conflict(
            "already_member",
            "You are already a member of this org.",
        ));
    }
    if !facts.email_domain_allowed {
        return Err(DomainError::refused(
            "email_domain_not_allowed",
            "this org now admits only members whose email is in its allowed domains: ask its \
             admins to allow your domain or to invite another address",
        ));
    }
    decide_joining(policy, facts.email_verified)?;
    Ok(facts.role)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0)
            .single()
            .expect("valid")
    }

    fn facts() -> AcceptanceFacts {
        AcceptanceFacts {
            role: Role::Admin,
            expires_at: now() + chrono::Duration::hours(1),
            email_matches: true,
            email_verified: true,
            personal: false,
            already_member: false,
            inviter_role_now: Some(Role::Admin),
            email_domain_allowed: true,
        }
    }

    #[test]
    fn an_invitation_outside_the_orgs_allowed_domains_now_is_refused() {
        let outside = AcceptanceFacts {
            email_domain_allowed: false,
            ..facts()
        };
        assert!(matches!(
            decide_acceptance(&outside, JoiningPolicy::default(), now()),
            Err(DomainError::Refused {
                code: "email_domain_not_allowed",
                ..
            })
        ));
    }

    fn code(result: Result<Role, DomainError>) -> String {
        match result {
            Ok(role) => format!("ok:{}", role.name()),
            Err(DomainError::Gone { code }) => code.to_owned(),
            Err(DomainError::Conflict { code, .. }) => code.to_owned(),
            Err(DomainError::Refused { code, .. }) => code.to_owned(),
            Err(other) => format!("{other:?}"),
        }
    }

    #[test]
    fn table() {
        let policy = JoiningPolicy::default();
        let strict = JoiningPolicy {
            require_verified_email: true,
        };
        let cases: Vec<(&str, AcceptanceFacts, JoiningPolicy, &str)> = vec![
            ("valid", facts(), policy, "ok:admin"),
            (
                "expired",
                AcceptanceFacts {
                    expires_at: now(),
                    ..facts()
                },
                policy,
                "invitation_expired",
            ),
            (
                "someone else's",
                AcceptanceFacts {
                    email_matches: false,
                    ..facts()
                },
                policy,
                "forbidden",
            ),
            (
                "inviter removed",
                AcceptanceFacts {
                    inviter_role_now: None,
                    ..facts()
                },
                policy,
                "invitation_revoked",
            ),
            (
                "inviter demoted below the role",
                AcceptanceFacts {
                    inviter_role_now: Some(Role::Developer),
                    ..facts()
                },
                policy,
                "invitation_revoked",
            ),
            (
                "inviter promoted",
                AcceptanceFacts {
                    inviter_role_now: Some(Role::Owner),
                    ..facts()
                },
                policy,
                "ok:admin",
            ),
            (
                "already a member",
                AcceptanceFacts {
                    already_member: true,
                    ..facts()
                },
                policy,
                "already_member",
            ),
            (
                "unverified, not required",
                AcceptanceFacts {
                    email_verified: false,
                    ..facts()
                },
                policy,
                "ok:admin",
            ),
            (
                "unverified, required",
                AcceptanceFacts {
                    email_verified: false,
                    ..facts()
                },
                strict,
                "email_unverified",
            ),
            (
                "personal org",
                AcceptanceFacts {
                    personal: true,
                    ..facts()
                },
                policy,
                "personal_org",
            ),
        ];
        for (name, facts, policy, expected) in cases {
            assert_eq!(code(decide_acceptance(&facts, policy, now())), expected, "{name}");
        }
    }
}

//! Rule: the default org of a self-hosted install (`orgs.default_org`). Every new account joins it
//! with the configured role, which is never owner, as any joining does: only with a verified email
//! where the install asks for one (such an account joins when it verifies), and only from the org's
//! allowed email domains. The first account of a fresh install (the one that becomes superadmin)
//! becomes its owner instead, while the org has none.

use crate::{DomainError, OrgId, Role, orgs::invitation_acceptance::JoiningPolicy};

/// The org every new account joins, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultOrg {
    /// The org.
    pub id: OrgId,
    /// The role new accounts get.
    pub role: Role,
    /// Whether joining needs a verified email.
    pub joining: JoiningPolicy,
}

/// What is known about an account as it would join the default org.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultJoinFacts {
    /// It is the install's first account.
    pub first_account: bool,
    /// The org has an owner already.
    pub org_has_owner: bool,
    /// Its email is verified.
    pub email_verified: bool,
    /// Its email is in the org's allowed domains (or the org allows any).
    pub email_domain_allowed: bool,
}

/// The role new accounts get in the default org, refusing owner: ownership is handed on by an
/// owner, never given to whoever registers.
pub fn default_join_role(configured: Role) -> Result<Role, DomainError> {
    if configured == Role::Owner {
        return Err(DomainError::invalid(
            "orgs.default_role",
            "must be admin, developer or viewer: owners are never made by joining",
        ));
    }
    Ok(configured)
}

/// The role an account joins the default org with, or `None` when it may not join (yet): its owner
/// when it is the install's first account and the org has no owner, else the configured role once
/// the joining policy and the org's allowed domains let it in.
pub fn joining_role(default: DefaultOrg, facts: DefaultJoinFacts) -> Option<Role> {
    if facts.first_account && !facts.org_has_owner {
        return Some(Role::Owner);
    }
    if default.joining.require_verified_email && !facts.email_verified {
        return None;
    }
    facts.email_domain_allowed.then_some(default.role)
}

/// Why the configured default org cannot be set up: an org not created as the default already
/// carries its name (it is never adopted: its owner would own every new account's org).
pub fn name_taken_by_another_org(name: &str) -> DomainError {
    DomainError::conflict(
        "default_org_name_taken",
        format!(
            "A shared org named {name} exists that was not created as the install's default org: rename \
             that org, or set orgs.default_org to another name."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default(role: Role, require_verified_email: bool) -> DefaultOrg {
        DefaultOrg {
            id: crate::new_id(),
            role,
            joining: JoiningPolicy {
                require_verified_email,
            },
        }
    }

    fn facts(
        first_account: bool,
        org_has_owner: bool,
        verified: bool,
        domain_allowed: bool,
    ) -> DefaultJoinFacts {
        DefaultJoinFacts {
            first_account,
            org_has_owner,
            email_verified: verified,
            email_domain_allowed: domain_allowed,
        }
    }

    #[test]
    fn owner_is_never_the_configured_role() {
        assert!(default_join_role(Role::Owner).is_err());
        assert_eq!(default_join_role(Role::Viewer).unwrap(), Role::Viewer);
    }

    #[test]
    fn the_first_account_owns_an_ownerless_default_org() {
        let first = facts(true, false, false, false);
        assert_eq!(
            joining_role(default(Role::Developer, true), first),
            Some(Role::Owner)
        );
    }

    #[test]
    fn everyone_else_joins_with_the_configured_role() {
        let later = facts(false, true, true, true);
        assert_eq!(
            joining_role(default(Role::Viewer, true), later),
            Some(Role::Viewer)
        );
        let first_after_an_owner = facts(true, true, false, true);
        assert_eq!(
            joining_role(default(Role::Admin, false), first_after_an_owner),
            Some(Role::Admin)
        );
    }

    #[test]
    fn an_unverified_account_joins_only_once_verified_where_the_install_asks() {
        let unverified = facts(false, true, false, true);
        assert_eq!(joining_role(default(Role::Developer, true), unverified), None);
        assert_eq!(
            joining_role(default(Role::Developer, false), unverified),
            Some(Role::Developer)
        );
    }

    #[test]
    fn an_email_outside_the_allowed_domains_never_joins() {
        let outside = facts(false, true, true, false);
        assert_eq!(joining_role(default(Role::Developer, false), outside), None);
    }
}

//! Rule: the default org of a self-hosted install (`orgs.default_org`). Every new account joins it
//! with the configured role, which is never owner; the first account of a fresh install (the one
//! that becomes superadmin) becomes its owner instead, while the org has none.

use crate::{DomainError, OrgId, Role};

/// The org every new account joins, and the role it joins with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultOrg {
    /// The org.
    pub id: OrgId,
    /// The role new accounts get.
    pub role: Role,
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

/// The role a new account gets in the default org: its owner when it is the install's first account
/// and the org has no owner yet, else the configured role.
pub fn joining_role(default: DefaultOrg, first_account: bool, org_has_owner: bool) -> Role {
    if first_account && !org_has_owner {
        Role::Owner
    } else {
        default.role
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default(role: Role) -> DefaultOrg {
        DefaultOrg {
            id: crate::new_id(),
            role,
        }
    }

    #[test]
    fn owner_is_never_the_configured_role() {
        assert!(default_join_role(Role::Owner).is_err());
        assert_eq!(default_join_role(Role::Viewer).unwrap(), Role::Viewer);
    }

    #[test]
    fn the_first_account_owns_an_ownerless_default_org() {
        assert_eq!(joining_role(default(Role::Developer), true, false), Role::Owner);
    }

    #[test]
    fn everyone_else_joins_with_the_configured_role() {
        assert_eq!(
            joining_role(default(Role::Developer), false, false),
            Role::Developer
        );
        assert_eq!(joining_role(default(Role::Viewer), true, true), Role::Viewer);
        assert_eq!(joining_role(default(Role::Admin), false, true), Role::Admin);
    }
}

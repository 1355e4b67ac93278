//! The rules for changing who is in an org and with which role.
//!
//! The org service reads the facts inside one transaction (with the org locked, so concurrent
//! changes see each other), lets these functions decide, and writes the change in the same
//! transaction.

use crate::{
    DomainError, Role,
    orgs::last_owner::{ensure_an_owner_remains, personal_org_conflict},
    orgs::policy::{Permission, require, require_can_act_on, require_can_grant},
};

/// What is known about a membership change when it is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MembershipFacts {
    /// The acting member's current role.
    pub actor_role: Role,
    /// The target member's current role.
    pub target_role: Role,
    /// Whether the actor acts on themself.
    pub is_self: bool,
    /// Owners of the org right now.
    pub owners: u64,
    /// Whether the org is a personal org.
    pub personal: bool,
}

/// May the actor give the target `new_role`?
pub fn decide_role_change(facts: MembershipFacts, new_role: Role) -> Result<(), DomainError> {
    if facts.personal {
        return Err(personal_org_conflict());
    }
    require(facts.actor_role, Permission::ManageMembers)?;
    require_can_act_on(facts.actor_role, facts.target_role)?;
    require_can_grant(facts.actor_role, new_role)?;
    let losing_an_owner = facts.target_role == Role::Owner && new_role != Role::Owner;
    ensure_an_owner_remains(facts.owners - u64::from(losing_an_owner))
}

/// May the actor remove the target (or, when `is_self`, leave)?
pub fn decide_removal(facts: MembershipFacts) -> Result<(), DomainError> {
    if facts.personal {
        return Err(personal_org_conflict());
    }
    if !facts.is_self {
        require(facts.actor_role, Permission::ManageMembers)?;
        require_can_act_on(facts.actor_role, facts.target_role)?;
    }
    let losing_an_owner = facts.target_role == Role::Owner;
    ensure_an_owner_remains(facts.owners - u64::from(losing_an_owner))
}

/// May the actor add someone (directly or by invitation) with `role`?
pub fn decide_addition(actor_role: Role, role: Role, personal: bool) -> Result<(), DomainError> {
    if personal {
        return Err(personal_org_conflict());
    }
    require(actor_role, Permission::ManageMembers)?;
    require_can_grant(actor_role, role)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(actor_role: Role, target_role: Role, is_self: bool, owners: u64) -> MembershipFacts {
        MembershipFacts {
            actor_role,
            target_role,
            is_self,
            owners,
            personal: false,
        }
    }

    fn code(result: Result<(), DomainError>) -> &'static str {
        match result {
            Ok(()) => "ok",
            Err(DomainError::Forbidden) => "forbidden",
            Err(DomainError::Conflict { code, .. }) => code,
            Err(_) => "other",
        }
    }

    #[test]
    fn the_last_owner_cannot_step_down_or_leave() {
        assert_eq!(
            code(decide_role_change(
                facts(Role::Owner, Role::Owner, true, 1),
                Role::Admin
            )),
            "last_owner"
        );
        assert_eq!(
            code(decide_removal(facts(Role::Owner, Role::Owner, true, 1))),
            "last_owner"
        );
        assert_eq!(
            code(decide_role_change(
                facts(Role::Owner, Role::Owner, true, 2),
                Role::Admin
            )),
            "ok"
        );
        assert_eq!(
            code(decide_removal(facts(Role::Owner, Role::Owner, false, 2))),
            "ok"
        );
    }

    #[test]
    fn nobody_outranks_themself() {
        assert_eq!(
            code(decide_role_change(
                facts(Role::Admin, Role::Owner, false, 2),
                Role::Viewer
            )),
            "forbidden"
        );
        assert_eq!(
            code(decide_role_change(
                facts(Role::Admin, Role::Viewer, false, 1),
                Role::Owner
            )),
            "forbidden"
        );
        assert_eq!(
            code(decide_role_change(
                facts(Role::Admin, Role::Viewer, false, 1),
                Role::Admin
            )),
            "ok"
        );
        assert_eq!(
            code(decide_role_change(
                facts(Role::Developer, Role::Viewer, false, 1),
                Role::Viewer
            )),
            "forbidden"
        );
        assert_eq!(
            code(decide_removal(facts(Role::Admin, Role::Owner, false, 1))),
            "forbidden"
        );
        assert_eq!(
            code(decide_removal(facts(Role::Viewer, Role::Viewer, true, 1))),
            "ok",
            "anyone may leave"
        );
        assert_eq!(
            code(decide_addition(Role::Admin, Role::Owner, false)),
            "forbidden"
        );
        assert_eq!(code(decide_addition(Role::Owner, Role::Owner, false)), "ok");
    }

    #[test]
    fn personal_orgs_keep_their_single_member() {
        let personal = MembershipFacts {
            personal: true,
            ..facts(Role::Owner, Role::Owner, true, 1)
        };
        assert_eq!(code(decide_removal(personal)), "personal_org");
        assert_eq!(code(decide_role_change(personal, Role::Admin)), "personal_org");
        assert_eq!(
            code(decide_addition(Role::Owner, Role::Viewer, true)),
            "personal_org"
        );
    }
}

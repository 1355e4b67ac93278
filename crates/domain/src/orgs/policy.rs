//! The permission policy: who may do what in an org. Decided here and enforced by the services; for
//! rules that span rows, a service re-checks inside the transaction that makes the change.

use crate::{DomainError, Role};

/// Something a member may be allowed to do in an org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See the org, its members, and conversations shared with the org.
    ReadOrg,
    /// Create conversations and manage one's own conversations, API keys and secrets.
    CreateConversations,
    /// Rename the org and edit its contact details and settings.
    UpdateOrg,
    /// Add, remove and change the roles of members; invite.
    ManageMembers,
    /// Read the audit log.
    ReadAuditLog,
    /// Read and manage every conversation of the org.
    ManageAllConversations,
    /// Delete the org.
    DeleteOrg,
    /// Hand ownership to another member.
    TransferOwnership,
    /// Take the org's data out as an archive.
    ExportOrg,
    /// Buy credits for the org.
    BuyCredits,
    /// See the org's balance, ledger and purchases.
    ReadBilling,
}

impl Permission {
    /// Every permission, in the order they are listed to clients.
    pub const ALL: [Permission; 11] = [
        Permission::ReadOrg,
        Permission::CreateConversations,
        Permission::UpdateOrg,
        Permission::ManageMembers,
        Permission::ReadAuditLog,
        Permission::ManageAllConversations,
        Permission::DeleteOrg,
        Permission::TransferOwnership,
        Permission::ExportOrg,
        Permission::BuyCredits,
        Permission::ReadBilling,
    ];

    /// Stable name.
    pub const fn name(self) -> &'static str {
        match self {
            Permission::ReadOrg => "org:read",
            Permission::CreateConversations => "conversations:create",
            Permission::UpdateOrg => "org:update",
            Permission::ManageMembers => "members:manage",
            Permission::ReadAuditLog => "audit:read",
            Permission::ManageAllConversations => "conversations:manage_all",
            Permission::DeleteOrg => "org:delete",
            Permission::TransferOwnership => "org:transfer",
            Permission::ExportOrg => "org:export",
            Permission::BuyCredits => "billing:buy",
            Permission::ReadBilling => "billing:read",
        }
    }

    /// The least powerful role that has this permission.
    pub const fn minimum_role(self) -> Role {
        match self {
            Permission::ReadOrg => Role::Viewer,
            Permission::CreateConversations => Role::Developer,
            Permission::UpdateOrg
            | Permission::ManageMembers
            | Permission::ReadAuditLog
            | Permission::ManageAllConversations
            | Permission::ReadBilling => Role::Admin,
            Permission::DeleteOrg
            | Permission::TransferOwnership
            | Permission::ExportOrg
            | Permission::BuyCredits => Role::Owner,
        }
    }
}

impl Role {
    /// Whether this role has `permission`.
    pub const fn allows(self, permission: Permission) -> bool {
        self.is_at_least(permission.minimum_role())
    }

    /// Every permission this role has.
    pub fn permissions(self) -> Vec<Permission> {
        Permission::ALL.into_iter().filter(|p| self.allows(*p)).collect()
    }
}

/// `Forbidden` unless `role` has `permission`.
pub fn require(role: Role, permission: Permission) -> Result<(), DomainError> {
    if role.allows(permission) {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// Nobody grants a role above their own.
pub fn require_can_grant(actor: Role, granted: Role) -> Result<(), DomainError> {
    if actor.is_at_least(granted) {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// Nobody acts on a member ranked above them.
pub fn require_can_act_on(actor: Role, target: Role) -> Result<(), DomainError> {
    if actor.is_at_least(target) {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_has_exactly_the_documented_permissions() {
        assert!(Role::Viewer.allows(Permission::ReadOrg));
        assert!(!Role::Viewer.allows(Permission::CreateConversations));
        assert!(Role::Developer.allows(Permission::CreateConversations));
        assert!(!Role::Developer.allows(Permission::ManageMembers));
        assert!(Role::Admin.allows(Permission::ManageMembers));
        assert!(Role::Admin.allows(Permission::ReadAuditLog));
        assert!(!Role::Admin.allows(Permission::DeleteOrg));
        assert!(Role::Owner.allows(Permission::TransferOwnership));
        assert_eq!(Role::Owner.permissions().len(), Permission::ALL.len());
    }

    #[test]
    fn grants_and_actions_stop_at_ones_own_rank() {
        assert!(require_can_grant(Role::Admin, Role::Admin).is_ok());
        assert!(require_can_grant(Role::Admin, Role::Owner).is_err());
        assert!(require_can_act_on(Role::Admin, Role::Developer).is_ok());
        assert!(require_can_act_on(Role::Admin, Role::Owner).is_err());
        assert!(require_can_act_on(Role::Owner, Role::Owner).is_ok());
    }
}

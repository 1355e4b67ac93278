//! The built-in roles, ranked: a lower rank means more power.

use crate::error::DomainError;

/// A member's role in an org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including deleting the org and granting `owner`.
    Owner,
    /// Manages members, settings, org secrets and the audit log.
    Admin,
    /// Creates and manages own conversations, API keys and secrets.
    Developer,
    /// Reads the org, its members and shared conversations.
    Viewer,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Developer, Role::Viewer];

    /// The role's rank (owner 0, admin 10, developer 100, viewer 1000).
    pub const fn rank(self) -> i32 {
        match self {
            Role::Owner => 0,
            Role::Admin => 10,
            Role::Developer => 100,
            Role::Viewer => 1000,
        }
    }

    /// The role's stable name.
    pub const fn name(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Developer => "developer",
            Role::Viewer => "viewer",
        }
    }

    /// Parses a role name as clients send it.
    pub fn parse(name: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|role| role.name() == name)
            .ok_or_else(|| DomainError::invalid("role", "must be one of owner, admin, developer, viewer"))
    }

    /// Whether this role carries at least the power of `other`.
    pub const fn is_at_least(self, other: Role) -> bool {
        self.rank() <= other.rank()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_order_power() {
        assert!(Role::Owner.is_at_least(Role::Admin));
        assert!(Role::Admin.is_at_least(Role::Admin));
        assert!(!Role::Developer.is_at_least(Role::Admin));
        assert!(Role::Developer.is_at_least(Role::Viewer));
    }

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.name()).expect("known"), role);
        }
        assert!(Role::parse("superuser").is_err());
    }
}

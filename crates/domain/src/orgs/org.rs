//! Orgs: the tenants. Everything else belongs to one.

use chrono::{DateTime, Utc};

use crate::{DomainError, OrgId, sign_in::org_policy::OrgPolicy};

/// An organisation (tenant).
#[derive(Debug, Clone, PartialEq)]
pub struct Org {
    /// Identifier.
    pub id: OrgId,
    /// Display name; unique case-insensitively among shared orgs.
    pub name: OrgName,
    /// A user's own org, created at registration; it has exactly one member.
    pub personal: bool,
    /// Who to contact about the org.
    pub contact_name: Option<String>,
    /// Where to contact the org.
    pub contact_email: Option<String>,
    /// When the org was created.
    pub created_at: DateTime<Utc>,
    /// Its sign-in policy.
    pub policy: OrgPolicy,
}

/// A validated org name: trimmed, 1..=100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgName(String);

impl OrgName {
    /// Longest name accepted, in characters.
    pub const MAX_CHARS: usize = 100;

    /// Validates `raw`.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(DomainError::invalid("name", "must not be empty"));
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(DomainError::invalid("name", "must be at most 100 characters"));
        }
        if name.chars().any(char::is_control) {
            return Err(DomainError::invalid(
                "name",
                "must not contain control characters",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    /// The name as shown.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key names are compared by: names differing only in case collide.
    pub fn unique_key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// `Conflict { code: "org_name_taken" }`: another shared org has this name (compared
/// case-insensitively through [`OrgName::unique_key`]).
pub fn org_name_taken() -> DomainError {
    DomainError::conflict("org_name_taken", "An org with this name already exists.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_keys_case_insensitively() {
        let name = OrgName::parse("  Acme Corp ").expect("valid");
        assert_eq!(name.as_str(), "Acme Corp");
        assert_eq!(
            name.unique_key(),
            OrgName::parse("ACME corp").expect("valid").unique_key()
        );
    }

    #[test]
    fn rejects_empty_long_and_control_characters() {
        assert!(OrgName::parse("   ").is_err());
        assert!(OrgName::parse(&"x".repeat(101)).is_err());
        assert!(OrgName::parse("a\u{0}b").is_err());
    }
}

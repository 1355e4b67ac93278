//! Which provider a sign-in goes through, as URLs and sessions name it.

use crate::{DomainError, OrgId};

/// Which provider a sign-in goes through: one configured for the install (by name) or an org's own
/// (by the org's id).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProviderKey {
    /// Configured for the install.
    Install(String),
    /// Configured by an org's admins.
    Org(OrgId),
}

impl ProviderKey {
    /// The key as it appears in URLs: an org's id, or the install provider's name.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if let Ok(org) = raw.parse::<OrgId>() {
            return Ok(Self::Org(org));
        }
        let valid = (1..=64).contains(&raw.len())
            && raw
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if valid {
            Ok(Self::Install(raw.to_owned()))
        } else {
            Err(DomainError::NotFound)
        }
    }

    /// The key as it appears in URLs.
    pub fn as_path(&self) -> String {
        match self {
            Self::Install(name) => name.clone(),
            Self::Org(org) => org.to_string(),
        }
    }
}

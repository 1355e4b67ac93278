//! Secrets: named values encrypted at rest, bound to where they are stored.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{DomainError, OrgId, UserId};

/// Whose a secret is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretScope {
    /// A member's own secret in an org.
    User,
    /// Shared by the org.
    Org,
    /// A secret field of the org's settings (the LLM key).
    #[serde(skip)]
    OrgSetting,
    /// A secret field of a member's own settings.
    #[serde(skip)]
    MemberSetting,
    /// A sandbox's session key, which Tenantry presents to its agent server (owner: the sandbox).
    #[serde(skip)]
    SandboxKey,
    /// The LLM key of a member's named LLM profile (owner: the member; name: the profile's).
    #[serde(skip)]
    ProfileKey,
}

impl SecretScope {
    /// Stable name, as stored.
    pub const fn name(self) -> &'static str {
        match self {
            SecretScope::User => "user",
            SecretScope::Org => "org",
            SecretScope::OrgSetting => "org_setting",
            SecretScope::MemberSetting => "member_setting",
            SecretScope::SandboxKey => "sandbox_key",
            SecretScope::ProfileKey => "profile_key",
        }
    }

    /// The scope stored under `name` (see [`SecretScope::name`]). Clients never name scopes this
    /// way: they send `user` or `org`, which serde reads.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "user" => Some(SecretScope::User),
            "org" => Some(SecretScope::Org),
            "org_setting" => Some(SecretScope::OrgSetting),
            "member_setting" => Some(SecretScope::MemberSetting),
            "sandbox_key" => Some(SecretScope::SandboxKey),
            "profile_key" => Some(SecretScope::ProfileKey),
            _ => None,
        }
    }
}

/// Where a secret lives; the ciphertext is bound to it, so a ciphertext copied elsewhere fails to
/// decrypt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretAddress {
    /// The org.
    pub org_id: OrgId,
    /// The scope.
    pub scope: SecretScope,
    /// The owning member for user-owned scopes.
    pub owner_id: Option<UserId>,
    /// The name.
    pub name: SecretName,
}

impl SecretAddress {
    /// The associated data the ciphertext is bound to.
    pub fn associated_data(&self) -> Vec<u8> {
        let owner = self
            .owner_id
            .map_or_else(|| "-".to_owned(), |owner| owner.to_string());
        format!(
            "tenantry-secret:v1:{}:{}:{owner}:{}",
            self.org_id,
            self.scope.name(),
            self.name.as_str()
        )
        .into_bytes()
    }
}

/// A secret's name: like an environment variable, `[A-Z_][A-Z0-9_]*`, at most 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretName(String);

impl SecretName {
    /// Validates `raw`.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let valid_start = raw
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase() || c == '_');
        let valid_rest = raw
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if raw.len() > 64 || !valid_start || !valid_rest {
            return Err(DomainError::invalid(
                "name",
                "must look like an environment variable: [A-Z_][A-Z0-9_]*, at most 64 characters",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// An internal name (settings fields), not validated as an environment variable.
    pub(crate) fn internal(name: &str) -> Self {
        Self(name.to_owned())
    }

    /// A name read back from storage (settings fields are stored under their field name).
    pub fn stored(name: &str) -> Self {
        Self(name.to_owned())
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Largest secret value, in bytes.
pub const MAX_SECRET_BYTES: usize = 64 * 1024;

/// A ciphertext with what is needed to open it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// Which key of the key ring sealed it.
    pub key_id: String,
    /// The random nonce.
    pub nonce: Vec<u8>,
    /// Ciphertext with its authentication tag.
    pub ciphertext: Vec<u8>,
}

/// What listing shows of a secret: never its value.
#[derive(Debug, Clone, PartialEq)]
pub struct SecretMeta {
    /// Row id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Scope.
    pub scope: SecretScope,
    /// Owner for user secrets.
    pub owner_id: Option<UserId>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_look_like_environment_variables() {
        for good in ["GITHUB_TOKEN", "_X", "A1", &"A".repeat(64)] {
            assert!(SecretName::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "1ABC", "lower", "WITH-DASH", "SPACE X", &"A".repeat(65)] {
            assert!(SecretName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn associated_data_differs_per_row() {
        let org = crate::new_id();
        let a = SecretAddress {
            org_id: org,
            scope: SecretScope::Org,
            owner_id: None,
            name: SecretName::parse("A").expect("valid"),
        };
        let b = SecretAddress {
            name: SecretName::parse("B").expect("valid"),
            ..a.clone()
        };
        let c = SecretAddress {
            org_id: crate::new_id(),
            ..a.clone()
        };
        assert_ne!(a.associated_data(), b.associated_data());
        assert_ne!(a.associated_data(), c.associated_data());
    }
}

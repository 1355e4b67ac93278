//! Sandboxes: agent servers that report into an org with a session key of their own.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{DomainError, OrgId, UserId};

/// A sandbox as stored (never its key: only the key's digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sandbox {
    /// Identifier.
    pub id: Uuid,
    /// The only org it writes into.
    pub org_id: OrgId,
    /// Who registered it; it acts for them.
    pub created_by: UserId,
    /// Human label.
    pub name: String,
    /// Where its agent server listens, when Tenantry drives it.
    pub url: Option<String>,
    /// SHA-256 digest of its session key.
    pub key_digest: String,
    /// When registered.
    pub created_at: DateTime<Utc>,
    /// When deleted (its key fails from then on).
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Where a sandbox's session key is kept sealed under the key ring (so key rotation and
/// re-encryption cover it like every other secret).
pub fn session_key_address(org: OrgId, sandbox: Uuid) -> crate::secrets::SecretAddress {
    crate::secrets::SecretAddress {
        org_id: org,
        scope: crate::secrets::SecretScope::SandboxKey,
        owner_id: Some(sandbox),
        name: crate::secrets::SecretName::internal("session_api_key"),
    }
}

/// Longest sandbox name, in characters.
pub const MAX_SANDBOX_NAME: usize = 100;
/// Longest agent server URL, in bytes.
pub const MAX_SANDBOX_URL: usize = 2048;

/// A trimmed name of 1 to 100 characters without control characters.
pub fn sandbox_name(raw: &str) -> Result<String, DomainError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > MAX_SANDBOX_NAME || name.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            "name",
            "must be 1 to 100 characters without control characters",
        ));
    }
    Ok(name.to_owned())
}

/// An absolute `http` or `https` URL without spaces, as the agent server's base.
pub fn sandbox_url(raw: &str) -> Result<String, DomainError> {
    let url = raw.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    let host_present = rest.is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
    if !host_present
        || url.len() > MAX_SANDBOX_URL
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(DomainError::invalid(
            "url",
            "must be an absolute http(s) URL of at most 2048 bytes",
        ));
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_urls_are_checked() {
        assert_eq!(sandbox_name("  box 1 ").expect("valid"), "box 1");
        assert!(sandbox_name(" ").is_err());
        assert!(sandbox_name("a\nb").is_err());
        assert_eq!(
            sandbox_url("http://127.0.0.1:8000/").expect("valid"),
            "http://127.0.0.1:8000"
        );
        assert!(sandbox_url("https://agents.example.com/run-7").is_ok());
        assert!(sandbox_url("ftp://x").is_err());
        assert!(sandbox_url("http://").is_err());
        assert!(sandbox_url("http:// spaced").is_err());
    }
}

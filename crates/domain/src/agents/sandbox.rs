//! Sandboxes: agent servers that report into an org with a session key of their own.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{DomainError, OrgId, Role, UserId};

/// A sandbox as stored (never its key: only the key's digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sandbox {
    /// Identifier.
    pub id: Uuid,
    /// The only org it writes into.
    pub org_id: OrgId,
    /// Who registered it; it acts for them.
    pub created_by: UserId,
    /// How it came to be (and with what role its creator registered it).
    pub origin: SandboxOrigin,
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
    /// Where Tenantry runs it, when it does ([`SandboxOrigin::Provisioned`]); `None` for a sandbox
    /// someone else runs.
    pub runtime: Option<RuntimeRecord>,
}

/// What Tenantry records of a sandbox it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeRecord {
    /// Where it stands ([`crate::agents::sandbox_lifecycle`] decides the moves).
    pub status: SandboxStatus,
    /// The launch settings it was started with.
    pub spec_id: String,
    /// When the status last changed.
    pub status_changed_at: DateTime<Utc>,
}

/// The states of a sandbox Tenantry runs, named as OpenHands names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SandboxStatus {
    /// Started; its agent server does not answer yet.
    Starting,
    /// Its agent server answers.
    Running,
    /// Stopped on purpose; its workspace is kept and it can be resumed.
    Paused,
    /// It stopped on its own or never came up; resuming starts it again.
    Error,
    /// Tenantry restarted and found nothing of it running.
    Missing,
}

impl SandboxStatus {
    /// The stored and wire name (`STARTING`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::Starting => "STARTING",
            Self::Running => "RUNNING",
            Self::Paused => "PAUSED",
            Self::Error => "ERROR",
            Self::Missing => "MISSING",
        }
    }

    /// Reads a stored name back.
    pub fn parse(stored: &str) -> Option<Self> {
        [
            Self::Starting,
            Self::Running,
            Self::Paused,
            Self::Error,
            Self::Missing,
        ]
        .into_iter()
        .find(|status| status.name() == stored)
    }

    /// Whether it holds a runtime slot (counts against the limits of running sandboxes).
    pub fn holds_slot(self) -> bool {
        matches!(self, Self::Starting | Self::Running)
    }
}

/// How a sandbox came to be: what decides whether the org's LLM key may be sent to it
/// ([`crate::agents::llm_key_release`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxOrigin {
    /// Registered through the API by a member holding `role` then (`None`: registered before
    /// roles were recorded).
    Registered {
        /// The registering member's role at the time.
        role: Option<Role>,
    },
    /// Started by Tenantry itself.
    Provisioned,
}

impl SandboxOrigin {
    /// How it is stored: the registering role's name, `tenantry`, or nothing.
    pub fn stored(self) -> Option<&'static str> {
        match self {
            Self::Registered { role } => role.map(Role::name),
            Self::Provisioned => Some(PROVISIONED),
        }
    }

    /// Read back from storage (an unknown value counts as no recorded role).
    pub fn from_stored(stored: Option<&str>) -> Self {
        match stored {
            Some(PROVISIONED) => Self::Provisioned,
            other => Self::Registered {
                role: other.and_then(|name| Role::parse(name).ok()),
            },
        }
    }
}

const PROVISIONED: &str = "tenantry";

/// Where a sandbox's session key is kept sealed under the key ring (so key rotation and
/// re-encryption cover it like every other secret).
pub fn session_key_address(org: OrgId, sandbox: Uuid) -> crate::secrets::stored_secret::SecretAddress {
    crate::secrets::stored_secret::SecretAddress {
        org_id: org,
        scope: crate::secrets::stored_secret::SecretScope::SandboxKey,
        owner_id: Some(sandbox),
        name: crate::secrets::stored_secret::SecretName::internal("session_api_key"),
    }
}

/// Where the secret key a started agent server encrypts its stored secrets with
/// (`OH_SECRET_KEY`) is kept sealed: the same key must come back when it is resumed.
pub fn agent_secret_key_address(org: OrgId, sandbox: Uuid) -> crate::secrets::stored_secret::SecretAddress {
    crate::secrets::stored_secret::SecretAddress {
        org_id: org,
        scope: crate::secrets::stored_secret::SecretScope::SandboxKey,
        owner_id: Some(sandbox),
        name: crate::secrets::stored_secret::SecretName::internal("agent_secret_key"),
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
    fn a_name_is_trimmed() {
        assert_eq!(sandbox_name("  box 1 ").expect("valid"), "box 1");
    }

    #[test]
    fn a_blank_or_multi_line_name_is_refused() {
        assert!(sandbox_name(" ").is_err());
        assert!(sandbox_name("a\nb").is_err());
    }

    #[test]
    fn an_http_url_keeps_its_path_without_a_trailing_slash() {
        assert_eq!(
            sandbox_url("http://127.0.0.1:8000/").expect("valid"),
            "http://127.0.0.1:8000"
        );
        assert!(sandbox_url("https://agents.example.com/run-7").is_ok());
    }

    #[test]
    fn a_url_of_another_scheme_or_without_a_host_is_refused() {
        assert!(sandbox_url("ftp://x").is_err());
        assert!(sandbox_url("http://").is_err());
        assert!(sandbox_url("http:// spaced").is_err());
    }

    #[test]
    fn statuses_round_trip_and_only_live_ones_hold_a_slot() {
        for status in [
            SandboxStatus::Starting,
            SandboxStatus::Running,
            SandboxStatus::Paused,
            SandboxStatus::Error,
            SandboxStatus::Missing,
        ] {
            assert_eq!(SandboxStatus::parse(status.name()), Some(status));
        }
        assert!(SandboxStatus::Starting.holds_slot() && SandboxStatus::Running.holds_slot());
        assert!(!SandboxStatus::Paused.holds_slot() && !SandboxStatus::Error.holds_slot());
        assert_eq!(SandboxStatus::parse("running"), None);
    }

    #[test]
    fn origins_round_trip_through_storage() {
        for origin in [
            SandboxOrigin::Provisioned,
            SandboxOrigin::Registered {
                role: Some(Role::Admin),
            },
            SandboxOrigin::Registered {
                role: Some(Role::Developer),
            },
            SandboxOrigin::Registered { role: None },
        ] {
            assert_eq!(SandboxOrigin::from_stored(origin.stored()), origin);
        }
    }
}

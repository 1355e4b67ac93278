use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::{
    AuditEntry, DomainError, OrgId, UserId,
    secrets::stored_secret::{Sealed, SecretAddress},
};

/// Settings as stored: plain values and, for an org, the fields it locked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredSettings {
    /// Plain (non-secret) values.
    pub values: Map<String, Value>,
    /// Fields members may not override (org settings only).
    pub locked: Vec<String>,
    /// Bumped by every write; 0 while nothing is stored. A write names the version it read.
    pub version: i64,
}

/// A user's preferences as stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredPreferences {
    /// The values.
    pub values: Map<String, Value>,
    /// Bumped by every write; 0 while nothing is stored.
    pub version: i64,
}

/// A secret field change to store with settings: `None` deletes it.
pub type SecretFieldChange = (SecretAddress, Option<Sealed>);

/// Org settings, member overrides and user preferences.
#[async_trait]
pub trait SettingsStore: Send + Sync {
    /// The org's settings (`member: None`) or a member's overrides.
    async fn get(&self, org: OrgId, member: Option<UserId>) -> Result<StoredSettings, DomainError>;

    /// Stores settings, their secret fields and the audit entry in one transaction, if the stored
    /// version is still `settings.version` (compare and swap); `false` when another write came
    /// first, and then nothing is written.
    async fn put(
        &self,
        org: OrgId,
        member: Option<UserId>,
        settings: &StoredSettings,
        secrets: &[SecretFieldChange],
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<bool, DomainError>;

    /// A user's preferences.
    async fn preferences(&self, user: UserId) -> Result<StoredPreferences, DomainError>;

    /// Stores a user's preferences if their stored version is still `preferences.version`; `false`
    /// when another write came first.
    async fn put_preferences(
        &self,
        user: UserId,
        preferences: &StoredPreferences,
        now: DateTime<Utc>,
    ) -> Result<bool, DomainError>;
}

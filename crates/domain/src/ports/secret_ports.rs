use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::{
    ApiKey, AuditEntry, DomainError, OrgId, SecretString, UserId,
    secrets::{Sealed, SecretAddress, SecretMeta},
};

/// Authenticated encryption under a key ring: new values use the current key, old values open with
/// the key that sealed them.
pub trait SecretCipher: Send + Sync {
    /// Encrypts `plaintext`, bound to `associated_data`.
    fn seal(&self, plaintext: &[u8], associated_data: &[u8]) -> Result<Sealed, DomainError>;

    /// Decrypts; fails when the data was altered or bound to other associated data.
    fn open(&self, sealed: &Sealed, associated_data: &[u8]) -> Result<SecretString, DomainError>;

    /// The id of the key new values are sealed with.
    fn current_key_id(&self) -> String;
}

/// A sealed value with its row id and address, for re-encryption.
#[derive(Debug, Clone)]
pub struct SealedRow {
    /// Row id.
    pub id: Uuid,
    /// Where it lives.
    pub address: SecretAddress,
    /// The ciphertext.
    pub sealed: Sealed,
}

/// Encrypted secrets (user, org and settings secrets alike).
#[async_trait]
pub trait SecretStore: Send + Sync {
    /// Org secrets of `org` and `user`'s own secrets there, by name.
    async fn list(&self, org: OrgId, user: UserId) -> Result<Vec<SecretMeta>, DomainError>;

    /// Creates or replaces the secret at `address`, recording `audit` in the same transaction.
    async fn put(
        &self,
        address: &SecretAddress,
        sealed: &Sealed,
        description: Option<String>,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<SecretMeta, DomainError>;

    /// The sealed value at `address`.
    async fn get(&self, address: &SecretAddress) -> Result<Option<Sealed>, DomainError>;

    /// Deletes the secret at `address` and records `audit` in the same transaction; whether there
    /// was one (nothing is recorded when there was not).
    async fn delete(&self, address: &SecretAddress, audit: &AuditEntry) -> Result<bool, DomainError>;

    /// Every sealed secret of the org's `Org` scope and, when given, `user`'s `User` scope.
    async fn sealed_for_runtime(
        &self,
        org: OrgId,
        user: Option<UserId>,
    ) -> Result<Vec<SealedRow>, DomainError>;

    /// Up to `limit` rows sealed with another key than `key_id`.
    async fn sealed_not_under(&self, key_id: &str, limit: u64) -> Result<Vec<SealedRow>, DomainError>;

    /// Replaces row `id`'s ciphertext if it still is `previous` (so a concurrent write wins).
    async fn reseal(&self, id: Uuid, previous: &Sealed, next: &Sealed) -> Result<bool, DomainError>;

    /// The key ids that still seal at least one row.
    async fn key_ids_in_use(&self) -> Result<Vec<String>, DomainError>;
}

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

/// API keys, stored hashed.
#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    /// Stores a new key and records `audit` in the same transaction.
    async fn create(&self, key: &ApiKey, audit: &AuditEntry) -> Result<(), DomainError>;

    /// The key with this public prefix.
    async fn find_by_prefix(&self, prefix: &str) -> Result<Option<ApiKey>, DomainError>;

    /// Keys of the org, only `user`'s when given, newest first, revoked ones left out.
    async fn list(&self, org: OrgId, user: Option<UserId>) -> Result<Vec<ApiKey>, DomainError>;

    /// The live key `id` of the org.
    async fn get(&self, org: OrgId, id: Uuid) -> Result<Option<ApiKey>, DomainError>;

    /// Revokes key `id` of the org and records `audit` in the same transaction; whether it was live
    /// (nothing is recorded when it was not).
    async fn revoke(&self, org: OrgId, id: Uuid, audit: &AuditEntry) -> Result<bool, DomainError>;

    /// Records a use.
    async fn touch(&self, id: Uuid, now: DateTime<Utc>) -> Result<(), DomainError>;
}

/// Mints and recognises API keys.
pub trait ApiKeyFormat: Send + Sync {
    /// A new key and its public prefix (`tnt_<id part>`).
    fn mint(&self) -> (String, SecretString);

    /// The prefix of a well-formed key (checksum verified); `None` for anything else.
    fn prefix_of(&self, key: &str) -> Option<String>;

    /// The hash stored in place of the key.
    fn hash(&self, key: &str) -> String;
}

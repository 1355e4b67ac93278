use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    AuditEntry, DomainError, OrgId, UserId,
    secrets::stored_secret::{Sealed, SecretAddress, SecretMeta},
};

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

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{ApiKey, AuditEntry, DomainError, OrgId, UserId};

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

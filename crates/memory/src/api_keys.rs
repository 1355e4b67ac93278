//! API keys, in memory, stored hashed as the domain gives them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::{ApiKey, AuditEntry, DomainError, OrgId, UserId, ports::ApiKeyStore};
use uuid::Uuid;

use crate::MemoryStore;

#[async_trait]
impl ApiKeyStore for MemoryStore {
    async fn create(&self, key: &ApiKey, audit: &AuditEntry) -> Result<(), DomainError> {
        self.write(|tables| {
            // The same unique keys as the SQL table: a clash is a storage error, nothing is written.
            if tables.api_keys.contains_key(&key.id)
                || tables.api_keys.values().any(|other| other.prefix == key.prefix)
            {
                return Err(DomainError::Internal("api key id or prefix collision".into()));
            }
            tables.api_keys.insert(key.id, key.clone());
            tables.audit.push(audit.clone());
            Ok(())
        })
        .await
    }

    async fn find_by_prefix(&self, prefix: &str) -> Result<Option<ApiKey>, DomainError> {
        Ok(self
            .read(|tables| tables.api_keys.values().find(|key| key.prefix == prefix).cloned())
            .await)
    }

    async fn list(&self, org: OrgId, user: Option<UserId>) -> Result<Vec<ApiKey>, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .api_keys
                    .values()
                    .rev()
                    .filter(|key| {
                        key.org_id == org
                            && key.revoked_at.is_none()
                            && user.is_none_or(|user| key.user_id == user)
                    })
                    .cloned()
                    .collect()
            })
            .await)
    }

    async fn get(&self, org: OrgId, id: Uuid) -> Result<Option<ApiKey>, DomainError> {
        Ok(self
            .read(|tables| tables.api_keys.get(&id).cloned())
            .await
            .filter(|key| key.org_id == org && key.revoked_at.is_none()))
    }

    async fn revoke(&self, org: OrgId, id: Uuid, audit: &AuditEntry) -> Result<bool, DomainError> {
        Ok(self
            .write(|tables| match tables.api_keys.get_mut(&id) {
                Some(key) if key.org_id == org && key.revoked_at.is_none() => {
                    key.revoked_at = Some(audit.at);
                    tables.audit.push(audit.clone());
                    true
                }
                _ => false,
            })
            .await)
    }

    async fn touch(&self, id: Uuid, now: DateTime<Utc>) -> Result<(), DomainError> {
        self.write(|tables| {
            if let Some(key) = tables.api_keys.get_mut(&id) {
                key.last_used_at = Some(now);
            }
        })
        .await;
        Ok(())
    }
}

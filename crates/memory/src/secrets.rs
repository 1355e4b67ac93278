//! Sealed secrets (user, org and settings secrets), in memory.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::{
    AuditEntry, DomainError, OrgId, UserId, new_id,
    ports::{SealedRow, SecretStore},
    secrets::{Sealed, SecretAddress, SecretMeta, SecretScope},
};
use uuid::Uuid;

use crate::{
    MemoryStore,
    tables::{SecretRow, Tables},
};

/// Stores `sealed` at `address`: a new secret, or a new value (and description) for the one there.
pub(crate) fn upsert(
    tables: &mut Tables,
    address: &SecretAddress,
    sealed: &Sealed,
    description: Option<String>,
    now: DateTime<Utc>,
) -> SecretMeta {
    if let Some(row) = tables.secrets.values_mut().find(|row| row.address == *address) {
        row.sealed = sealed.clone();
        row.meta.description = description;
        row.meta.updated_at = now;
        return row.meta.clone();
    }
    let meta = SecretMeta {
        id: new_id(),
        name: address.name.as_str().to_owned(),
        description,
        scope: address.scope,
        owner_id: address.owner_id,
        created_at: now,
        updated_at: now,
    };
    tables.secrets.insert(
        meta.id,
        SecretRow {
            meta: meta.clone(),
            address: address.clone(),
            sealed: sealed.clone(),
        },
    );
    meta
}

/// Deletes the secret at `address`; whether there was one.
pub(crate) fn remove(tables: &mut Tables, address: &SecretAddress) -> bool {
    let before = tables.secrets.len();
    tables.secrets.retain(|_, row| row.address != *address);
    tables.secrets.len() < before
}

fn sealed_row(row: &SecretRow) -> SealedRow {
    SealedRow {
        id: row.meta.id,
        address: row.address.clone(),
        sealed: row.sealed.clone(),
    }
}

/// Org secrets, and `user`'s own when given.
fn runtime_visible(row: &SecretRow, org: OrgId, user: Option<UserId>) -> bool {
    row.address.org_id == org
        && match row.address.scope {
            SecretScope::Org => true,
            SecretScope::User => user.is_some() && row.address.owner_id == user,
            _ => false,
        }
}

#[async_trait]
impl SecretStore for MemoryStore {
    async fn list(&self, org: OrgId, user: UserId) -> Result<Vec<SecretMeta>, DomainError> {
        Ok(self
            .read(|tables| {
                let mut metas: Vec<SecretMeta> = tables
                    .secrets
                    .values()
                    .filter(|row| runtime_visible(row, org, Some(user)))
                    .map(|row| row.meta.clone())
                    .collect();
                metas.sort_by(|a, b| (a.scope.name(), &a.name).cmp(&(b.scope.name(), &b.name)));
                metas
            })
            .await)
    }

    async fn put(
        &self,
        address: &SecretAddress,
        sealed: &Sealed,
        description: Option<String>,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<SecretMeta, DomainError> {
        Ok(self
            .write(|tables| {
                let meta = upsert(tables, address, sealed, description, now);
                tables.audit.push(audit.clone());
                meta
            })
            .await)
    }

    async fn get(&self, address: &SecretAddress) -> Result<Option<Sealed>, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .secrets
                    .values()
                    .find(|row| row.address == *address)
                    .map(|row| row.sealed.clone())
            })
            .await)
    }

    async fn delete(&self, address: &SecretAddress, audit: &AuditEntry) -> Result<bool, DomainError> {
        Ok(self
            .write(|tables| {
                let deleted = remove(tables, address);
                if deleted {
                    tables.audit.push(audit.clone());
                }
                deleted
            })
            .await)
    }

    async fn sealed_for_runtime(
        &self,
        org: OrgId,
        user: Option<UserId>,
    ) -> Result<Vec<SealedRow>, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .secrets
                    .values()
                    .filter(|row| runtime_visible(row, org, user))
                    .map(sealed_row)
                    .collect()
            })
            .await)
    }

    async fn sealed_not_under(&self, key_id: &str, limit: u64) -> Result<Vec<SealedRow>, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .secrets
                    .values()
                    .filter(|row| row.sealed.key_id != key_id)
                    .take(usize::try_from(limit).unwrap_or(usize::MAX))
                    .map(sealed_row)
                    .collect()
            })
            .await)
    }

    async fn reseal(&self, id: Uuid, previous: &Sealed, next: &Sealed) -> Result<bool, DomainError> {
        Ok(self
            .write(|tables| match tables.secrets.get_mut(&id) {
                Some(row) if row.sealed.key_id == previous.key_id && row.sealed.nonce == previous.nonce => {
                    row.sealed = next.clone();
                    true
                }
                _ => false,
            })
            .await)
    }

    async fn key_ids_in_use(&self) -> Result<Vec<String>, DomainError> {
        Ok(self
            .read(|tables| {
                let mut ids: Vec<String> = tables
                    .secrets
                    .values()
                    .map(|row| row.sealed.key_id.clone())
                    .collect();
                ids.sort();
                ids.dedup();
                ids
            })
            .await)
    }
}

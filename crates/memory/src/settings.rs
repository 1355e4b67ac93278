//! Org settings, member overrides and user preferences, in memory; every write is a
//! compare-and-swap on the stored version, as on SQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::{
    AuditEntry, DomainError, OrgId, UserId,
    ports::{SecretFieldChange, SettingsStore, StoredPreferences, StoredSettings},
};

use crate::{
    MemoryStore,
    secrets::{remove, upsert},
    tables::SettingsRow,
};

#[async_trait]
impl SettingsStore for MemoryStore {
    async fn get(&self, org: OrgId, member: Option<UserId>) -> Result<StoredSettings, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .settings
                    .get(&(org, member))
                    .map(|row| StoredSettings {
                        values: row.values.clone(),
                        locked: row.locked.clone(),
                        version: row.version,
                    })
                    .unwrap_or_default()
            })
            .await)
    }

    async fn put(
        &self,
        org: OrgId,
        member: Option<UserId>,
        stored: &StoredSettings,
        secrets_change: &[SecretFieldChange],
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<bool, DomainError> {
        Ok(self
            .write(|tables| {
                let current = tables.settings.get(&(org, member)).map_or(0, |row| row.version);
                if current != stored.version {
                    // Another write came first: nothing of this one is applied.
                    return false;
                }
                tables.settings.insert(
                    (org, member),
                    SettingsRow {
                        values: stored.values.clone(),
                        locked: stored.locked.clone(),
                        version: stored.version + 1,
                    },
                );
                for (address, sealed) in secrets_change {
                    match sealed {
                        Some(sealed) => {
                            upsert(tables, address, sealed, None, now);
                        }
                        None => {
                            remove(tables, address);
                        }
                    }
                }
                tables.audit.push(audit.clone());
                true
            })
            .await)
    }

    async fn preferences(&self, user: UserId) -> Result<StoredPreferences, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .preferences
                    .get(&user)
                    .map(|(values, version)| StoredPreferences {
                        values: values.clone(),
                        version: *version,
                    })
                    .unwrap_or_default()
            })
            .await)
    }

    async fn put_preferences(
        &self,
        user: UserId,
        preferences: &StoredPreferences,
        _now: DateTime<Utc>,
    ) -> Result<bool, DomainError> {
        Ok(self
            .write(|tables| {
                let current = tables.preferences.get(&user).map_or(0, |(_, version)| *version);
                if current != preferences.version {
                    return false;
                }
                tables
                    .preferences
                    .insert(user, (preferences.values.clone(), preferences.version + 1));
                true
            })
            .await)
    }
}

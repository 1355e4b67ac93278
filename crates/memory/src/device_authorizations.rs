//! Device authorizations, in memory.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::{
    DomainError,
    device_authorization::{DeviceAuthorization, DeviceDecision},
    ports::DeviceAuthorizations,
};
use uuid::Uuid;

use crate::MemoryStore;

#[async_trait]
impl DeviceAuthorizations for MemoryStore {
    async fn create(&self, authorization: &DeviceAuthorization) -> Result<(), DomainError> {
        self.write(|tables| {
            tables
                .device_authorizations
                .insert(authorization.id, (authorization.clone(), None))
        })
        .await;
        Ok(())
    }

    async fn by_device_code(&self, digest: &str) -> Result<Option<DeviceAuthorization>, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .device_authorizations
                    .values()
                    .find(|(authorization, _)| authorization.device_code_digest == digest)
                    .map(|(authorization, _)| authorization.clone())
            })
            .await)
    }

    async fn by_user_code(
        &self,
        user_code: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DeviceAuthorization>, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .device_authorizations
                    .values()
                    .map(|(authorization, _)| authorization)
                    .find(|authorization| {
                        authorization.user_code == user_code
                            && authorization.decision.is_none()
                            && authorization.expires_at > now
                    })
                    .cloned()
            })
            .await)
    }

    async fn decide(&self, id: Uuid, decision: &DeviceDecision) -> Result<bool, DomainError> {
        Ok(self
            .write(|tables| match tables.device_authorizations.get_mut(&id) {
                Some((authorization, _)) if authorization.decision.is_none() => {
                    authorization.decision = Some(*decision);
                    true
                }
                _ => false,
            })
            .await)
    }

    async fn polled(&self, id: Uuid, at: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, DomainError> {
        Ok(self
            .write(|tables| {
                tables
                    .device_authorizations
                    .get_mut(&id)
                    .and_then(|(_, polled)| polled.replace(at))
            })
            .await)
    }

    async fn settle(&self, id: Uuid, at: DateTime<Utc>) -> Result<bool, DomainError> {
        Ok(self
            .write(|tables| match tables.device_authorizations.get_mut(&id) {
                Some((authorization, _)) if authorization.issued_at.is_none() => {
                    authorization.issued_at = Some(at);
                    true
                }
                _ => false,
            })
            .await)
    }
}

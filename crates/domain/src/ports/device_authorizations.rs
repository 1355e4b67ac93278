use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    DomainError,
    sign_in::device_authorization::{DeviceAuthorization, DeviceDecision},
};

/// Device authorizations (RFC 8628).
#[async_trait]
pub trait DeviceAuthorizations: Send + Sync {
    /// Stores a new one (its user code unique among those not expired).
    async fn create(&self, authorization: &DeviceAuthorization) -> Result<(), DomainError>;

    /// The one whose device code has this digest.
    async fn by_device_code(&self, digest: &str) -> Result<Option<DeviceAuthorization>, DomainError>;

    /// The undecided, unexpired one with this user code at `now`.
    async fn by_user_code(
        &self,
        user_code: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DeviceAuthorization>, DomainError>;

    /// Records the decision if none was made yet; whether it was recorded.
    async fn decide(&self, id: Uuid, decision: &DeviceDecision) -> Result<bool, DomainError>;

    /// Records a poll at `at`; when the one before was.
    async fn polled(&self, id: Uuid, at: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, DomainError>;

    /// Marks the grant spent if it was not; whether this call spent it (exactly one does).
    async fn settle(&self, id: Uuid, at: DateTime<Utc>) -> Result<bool, DomainError>;
}

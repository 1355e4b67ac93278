use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{AuditEntry, DomainError, UserId, identity::mfa::MfaEnrollment, secrets::stored_secret::Sealed};

/// Users' TOTP enrolments and recovery codes.
#[async_trait]
pub trait MfaStore: Send + Sync {
    /// The user's enrolment, if any.
    async fn enrollment(&self, user: UserId) -> Result<Option<MfaEnrollment>, DomainError>;

    /// Stores a new, unconfirmed secret (replacing an unconfirmed one); `Conflict` when MFA is on.
    async fn begin(&self, user: UserId, sealed: &Sealed, now: DateTime<Utc>) -> Result<(), DomainError>;

    /// Turns MFA on, in one transaction: confirms the enrolment with the code of `step`, stores
    /// the recovery code digests, marks the user and records `audit`. `Conflict` when already on
    /// or when nothing was set up.
    async fn confirm(
        &self,
        user: UserId,
        step: i64,
        recovery_digests: &[String],
        audit: &AuditEntry,
    ) -> Result<(), DomainError>;

    /// Records `step` as used if it is newer than the last one used (atomically); `false` for a
    /// replay.
    async fn claim_step(&self, user: UserId, step: i64) -> Result<bool, DomainError>;

    /// Spends an unused recovery code (atomically); `false` when unknown or spent.
    async fn redeem_recovery_code(
        &self,
        user: UserId,
        digest: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, DomainError>;

    /// Turns MFA off: enrolment and codes deleted, the user unmarked, `audit` recorded.
    async fn disable(&self, user: UserId, audit: &AuditEntry) -> Result<(), DomainError>;
}

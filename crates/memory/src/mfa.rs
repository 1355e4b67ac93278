//! [`MfaStore`] in memory.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::{
    AuditEntry, DomainError, UserId, mfa::MfaEnrollment, ports::MfaStore, secrets::Sealed,
};

use crate::MemoryStore;

#[async_trait]
impl MfaStore for MemoryStore {
    async fn enrollment(&self, user: UserId) -> Result<Option<MfaEnrollment>, DomainError> {
        Ok(self.read(|tables| tables.mfa.get(&user).cloned()).await)
    }

    async fn begin(&self, user: UserId, sealed: &Sealed, _now: DateTime<Utc>) -> Result<(), DomainError> {
        self.write(|tables| {
            if tables
                .mfa
                .get(&user)
                .is_some_and(|known| known.confirmed_at.is_some())
            {
                return Err(tenantry_domain::mfa::mfa_already_on());
            }
            tables.mfa.insert(
                user,
                MfaEnrollment {
                    sealed_secret: sealed.clone(),
                    confirmed_at: None,
                    last_step: None,
                },
            );
            Ok(())
        })
        .await
    }

    async fn confirm(
        &self,
        user: UserId,
        step: i64,
        recovery_digests: &[String],
        audit: &AuditEntry,
    ) -> Result<(), DomainError> {
        self.write(|tables| {
            let enrollment = tables
                .mfa
                .get_mut(&user)
                .filter(|known| known.confirmed_at.is_none())
                .ok_or_else(tenantry_domain::mfa::mfa_not_pending)?;
            enrollment.confirmed_at = Some(audit.at);
            enrollment.last_step = Some(step);
            tables.recovery_codes.retain(|(owner, _, _)| *owner != user);
            tables.recovery_codes.extend(
                recovery_digests
                    .iter()
                    .map(|digest| (user, digest.clone(), false)),
            );
            if let Some(row) = tables.users.get_mut(&user) {
                row.user.mfa_enabled_at = Some(audit.at);
            }
            tables.audit.push(audit.clone());
            Ok(())
        })
        .await
    }

    async fn claim_step(&self, user: UserId, step: i64) -> Result<bool, DomainError> {
        Ok(self
            .write(|tables| match tables.mfa.get_mut(&user) {
                Some(enrollment) if tenantry_domain::mfa::step_is_fresh(enrollment.last_step, step) => {
                    enrollment.last_step = Some(step);
                    true
                }
                _ => false,
            })
            .await)
    }

    async fn redeem_recovery_code(
        &self,
        user: UserId,
        digest: &str,
        _now: DateTime<Utc>,
    ) -> Result<bool, DomainError> {
        Ok(self
            .write(|tables| {
                match tables
                    .recovery_codes
                    .iter_mut()
                    .find(|(owner, known, spent)| *owner == user && known == digest && !*spent)
                {
                    Some(code) => {
                        code.2 = true;
                        true
                    }
                    None => false,
                }
            })
            .await)
    }

    async fn disable(&self, user: UserId, audit: &AuditEntry) -> Result<(), DomainError> {
        self.write(|tables| {
            tables.mfa.remove(&user);
            tables.recovery_codes.retain(|(owner, _, _)| *owner != user);
            if let Some(row) = tables.users.get_mut(&user) {
                row.user.mfa_enabled_at = None;
            }
            tables.audit.push(audit.clone());
        })
        .await;
        Ok(())
    }
}

//! [`SsoStore`] in memory.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::{
    AuditEntry, DomainError, OrgId, UserId,
    domain_verification::OrgDomain,
    org_policy::{EmailDomain, OrgPolicy},
    ports::{SsoStore, StoredOrgProvider, StoredSignIn},
};

use crate::MemoryStore;

#[async_trait]
impl SsoStore for MemoryStore {
    async fn put_org_provider(
        &self,
        provider: &StoredOrgProvider,
        audit: &AuditEntry,
    ) -> Result<(), DomainError> {
        self.write(|tables| {
            tables.sso_providers.insert(provider.org_id, provider.clone());
            tables.audit.push(audit.clone());
        })
        .await;
        Ok(())
    }

    async fn org_provider(&self, org: OrgId) -> Result<Option<StoredOrgProvider>, DomainError> {
        Ok(self.read(|tables| tables.sso_providers.get(&org).cloned()).await)
    }

    async fn delete_org_provider(&self, org: OrgId, audit: &AuditEntry) -> Result<bool, DomainError> {
        Ok(self
            .write(|tables| {
                let removed = tables.sso_providers.remove(&org).is_some();
                if removed {
                    tables.audit.push(audit.clone());
                }
                removed
            })
            .await)
    }

    async fn set_org_policy(
        &self,
        org: OrgId,
        policy: &OrgPolicy,
        audit: &AuditEntry,
    ) -> Result<(), DomainError> {
        self.write(|tables| {
            let stored = tables.orgs.get_mut(&org).ok_or(DomainError::NotFound)?;
            stored.policy = policy.clone();
            tables.audit.push(audit.clone());
            Ok(())
        })
        .await
    }

    async fn save_sign_in(&self, sign_in: &StoredSignIn) -> Result<(), DomainError> {
        self.write(|tables| {
            tables
                .sso_sign_ins
                .insert(sign_in.state_digest.clone(), sign_in.clone());
        })
        .await;
        Ok(())
    }

    async fn take_sign_in(
        &self,
        state_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredSignIn>, DomainError> {
        Ok(self
            .write(|tables| tables.sso_sign_ins.remove(state_digest))
            .await
            .filter(|sign_in| sign_in.expires_at > now))
    }

    async fn sweep_sign_ins(&self, now: DateTime<Utc>) -> Result<u64, DomainError> {
        Ok(self
            .write(|tables| {
                let before = tables.sso_sign_ins.len();
                tables.sso_sign_ins.retain(|_, sign_in| sign_in.expires_at > now);
                (before - tables.sso_sign_ins.len()) as u64
            })
            .await)
    }

    async fn linked_user(&self, issuer: &str, subject: &str) -> Result<Option<UserId>, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .sso_identities
                    .get(&(issuer.to_owned(), subject.to_owned()))
                    .map(|(user, _)| *user)
            })
            .await)
    }

    async fn link(
        &self,
        issuer: &str,
        subject: &str,
        user: UserId,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<UserId, DomainError> {
        Ok(self
            .write(|tables| {
                let key = (issuer.to_owned(), subject.to_owned());
                if let Some((existing, _)) = tables.sso_identities.get(&key) {
                    return *existing;
                }
                tables.sso_identities.insert(key, (user, at));
                tables.audit.push(audit.clone());
                user
            })
            .await)
    }

    async fn add_org_domain(&self, domain: &OrgDomain, audit: &AuditEntry) -> Result<bool, DomainError> {
        Ok(self
            .write(|tables| {
                let key = (domain.org_id, domain.domain.as_str().to_owned());
                if tables.org_domains.contains_key(&key) {
                    return false;
                }
                tables.org_domains.insert(key, domain.clone());
                tables.audit.push(audit.clone());
                true
            })
            .await)
    }

    async fn org_domains(&self, org: OrgId) -> Result<Vec<OrgDomain>, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .org_domains
                    .values()
                    .filter(|claimed| claimed.org_id == org)
                    .cloned()
                    .collect()
            })
            .await)
    }

    async fn mark_domain_verified(
        &self,
        org: OrgId,
        domain: &EmailDomain,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<bool, DomainError> {
        Ok(self
            .write(|tables| {
                let Some(claimed) = tables.org_domains.get_mut(&(org, domain.as_str().to_owned())) else {
                    return false;
                };
                claimed.verified_at = Some(at);
                tables.audit.push(audit.clone());
                true
            })
            .await)
    }

    async fn delete_org_domain(
        &self,
        org: OrgId,
        domain: &EmailDomain,
        audit: &AuditEntry,
    ) -> Result<bool, DomainError> {
        Ok(self
            .write(|tables| {
                if tables
                    .org_domains
                    .remove(&(org, domain.as_str().to_owned()))
                    .is_none()
                {
                    return false;
                }
                tables.audit.push(audit.clone());
                true
            })
            .await)
    }
}

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    AuditEntry, DomainError, OrgId, Role, UserId,
    secrets::stored_secret::Sealed,
    sign_in::domain_verification::OrgDomain,
    sign_in::org_policy::{EmailDomain, OrgPolicy},
};

/// An org's provider as stored: its client secret sealed.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredOrgProvider {
    /// The org.
    pub org_id: OrgId,
    /// The issuer URL.
    pub issuer: String,
    /// Tenantry's client id there.
    pub client_id: String,
    /// The client secret, sealed under the key ring.
    pub sealed_secret: Sealed,
    /// Email domains it may sign in (empty: any).
    pub allowed_domains: Vec<EmailDomain>,
    /// The role a new member gets.
    pub default_role: Role,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A started sign-in as stored: the verifier sealed, the state as a digest.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSignIn {
    /// Digest of the `state` parameter.
    pub state_digest: String,
    /// The provider key, as in URLs.
    pub provider: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier, sealed.
    pub sealed_verifier: Sealed,
    /// Where to send the browser afterwards.
    pub redirect: Option<String>,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
}

/// Single sign-on: orgs' providers, identities linked to users, and sign-ins under way.
#[async_trait]
pub trait SsoStore: Send + Sync {
    /// Sets (or replaces) the org's provider and records `audit`, atomically.
    async fn put_org_provider(
        &self,
        provider: &StoredOrgProvider,
        audit: &AuditEntry,
    ) -> Result<(), DomainError>;

    /// The org's provider, if it has one.
    async fn org_provider(&self, org: OrgId) -> Result<Option<StoredOrgProvider>, DomainError>;

    /// Removes the org's provider and records `audit`, atomically; `false` when it had none.
    async fn delete_org_provider(&self, org: OrgId, audit: &AuditEntry) -> Result<bool, DomainError>;

    /// Replaces the org's sign-in policy and records `audit`, atomically.
    async fn set_org_policy(
        &self,
        org: OrgId,
        policy: &OrgPolicy,
        audit: &AuditEntry,
    ) -> Result<(), DomainError>;

    /// Stores a started sign-in.
    async fn save_sign_in(&self, sign_in: &StoredSignIn) -> Result<(), DomainError>;

    /// Takes the sign-in with this state digest away (it works once); `None` when unknown, taken
    /// already or past `now`.
    async fn take_sign_in(
        &self,
        state_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredSignIn>, DomainError>;

    /// Forgets sign-ins that ended before `now`; returns how many.
    async fn sweep_sign_ins(&self, now: DateTime<Utc>) -> Result<u64, DomainError>;

    /// The user linked to `subject` at `issuer`, if any.
    async fn linked_user(&self, issuer: &str, subject: &str) -> Result<Option<UserId>, DomainError>;

    /// Links `subject` at `issuer` to `user` and records `audit`; a link that exists already is
    /// kept (the first link wins), and the user it names is returned.
    async fn link(
        &self,
        issuer: &str,
        subject: &str,
        user: UserId,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<UserId, DomainError>;

    /// Stores a claimed domain and records `audit`, atomically; `false` when the org claimed it
    /// already (nothing written).
    async fn add_org_domain(&self, domain: &OrgDomain, audit: &AuditEntry) -> Result<bool, DomainError>;

    /// The domains the org claimed, proven or not, by name.
    async fn org_domains(&self, org: OrgId) -> Result<Vec<OrgDomain>, DomainError>;

    /// Marks a claimed domain proven at `at` and records `audit`, atomically; `false` when the org
    /// has no such claim.
    async fn mark_domain_verified(
        &self,
        org: OrgId,
        domain: &EmailDomain,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<bool, DomainError>;

    /// Removes a claimed domain and records `audit`, atomically; `false` when there was none.
    async fn delete_org_domain(
        &self,
        org: OrgId,
        domain: &EmailDomain,
        audit: &AuditEntry,
    ) -> Result<bool, DomainError>;
}

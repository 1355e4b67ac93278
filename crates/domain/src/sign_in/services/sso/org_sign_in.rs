//! An org's own provider and its sign-in policy, managed by its admins.

use serde_json::json;

use crate::{
    AuditAction, AuditEntry, Caller, DomainError, OrgId, SecretString,
    orgs::policy::{Permission, require},
    orgs::role_in_org::role_in,
    ports::StoredOrgProvider,
    sign_in::org_policy::{AccessPolicy, EmailDomain, OrgPolicy, sso_session_trusted_by},
    sign_in::services::sso::{SsoService, client_secret_associated_data},
    sign_in::sso::{OrgSsoView, parse_default_role, parse_issuer},
};

/// An org provider as its admins send it.
#[derive(Debug, Clone)]
pub struct OrgSsoInput {
    /// The issuer URL.
    pub issuer: String,
    /// Tenantry's client id there.
    pub client_id: String,
    /// The client secret; may be left out when changing a provider, to keep the one stored.
    pub client_secret: Option<SecretString>,
    /// Email domains it may sign in (empty: any).
    pub allowed_domains: Vec<String>,
    /// The role a new member gets.
    pub default_role: String,
}

/// An org's sign-in policy as its admins send it.
#[derive(Debug, Clone)]
pub struct PolicyInput {
    /// Members without MFA are refused.
    pub require_mfa: bool,
    /// Password sessions are refused.
    pub require_sso: bool,
    /// Domains new members' emails must be in (empty: any).
    pub allowed_email_domains: Vec<String>,
}

impl SsoService {
    pub(super) async fn require_admin(&self, caller: &Caller, org: OrgId) -> Result<(), DomainError> {
        require(
            role_in(self.ports.orgs.as_ref(), caller, org).await?,
            Permission::UpdateOrg,
        )?;
        caller.require_person()
    }

    pub(super) fn audit(
        &self,
        caller: &Caller,
        org: OrgId,
        action: AuditAction,
        detail: serde_json::Value,
    ) -> AuditEntry {
        AuditEntry::new(
            org,
            self.ports.clock.now(),
            Some(caller.user.id),
            action,
            ("org", Some(org.to_string())),
            detail,
        )
    }

    /// The org's provider, without its secret (admin+).
    pub async fn org_provider(&self, caller: &Caller, org: OrgId) -> Result<Option<OrgSsoView>, DomainError> {
        self.require_admin(caller, org).await?;
        Ok(self.ports.sso.org_provider(org).await?.map(view))
    }

    /// Sets the org's provider (admin+); the client secret is sealed and never shown again.
    pub async fn put_org_provider(
        &self,
        caller: &Caller,
        org: OrgId,
        input: OrgSsoInput,
    ) -> Result<OrgSsoView, DomainError> {
        self.require_admin(caller, org).await?;
        let issuer = parse_issuer(&input.issuer)?;
        let client_id = input.client_id.trim().to_owned();
        if client_id.is_empty() || client_id.len() > 255 {
            return Err(DomainError::invalid("client_id", "must be 1 to 255 characters"));
        }
        let allowed_domains = EmailDomain::parse_list(&input.allowed_domains, "allowed_domains")?;
        let default_role = parse_default_role(&input.default_role)?;
        let sealed_secret = match (input.client_secret, self.ports.sso.org_provider(org).await?) {
            (Some(secret), _) if !secret.expose().is_empty() && secret.expose().len() <= 1024 => self
                .ports
                .cipher
                .seal(secret.expose().as_bytes(), &client_secret_associated_data(org))?,
            (Some(_), _) => {
                return Err(DomainError::invalid("client_secret", "must be 1 to 1024 bytes"));
            }
            (None, Some(existing)) => existing.sealed_secret,
            (None, None) => return Err(DomainError::invalid("client_secret", "is required")),
        };
        let provider = StoredOrgProvider {
            org_id: org,
            issuer,
            client_id,
            sealed_secret,
            allowed_domains,
            default_role,
            updated_at: self.ports.clock.now(),
        };
        let audit = self.audit(
            caller,
            org,
            AuditAction::SsoConfigured,
            json!({
                "issuer": provider.issuer,
                "client_id": provider.client_id,
                "allowed_domains": provider.allowed_domains.iter().map(EmailDomain::as_str).collect::<Vec<_>>(),
                "default_role": provider.default_role.name(),
            }),
        );
        self.ports.sso.put_org_provider(&provider, &audit).await?;
        Ok(view(provider))
    }

    /// Removes the org's provider (admin+). An org that requires SSO keeps a provider.
    pub async fn delete_org_provider(&self, caller: &Caller, org: OrgId) -> Result<(), DomainError> {
        self.require_admin(caller, org).await?;
        let membership = self
            .ports
            .orgs
            .membership(org, caller.user.id)
            .await?
            .ok_or(DomainError::NotFound)?;
        if membership.org.policy.access.require_sso && self.settings.install_providers.is_empty() {
            return Err(DomainError::conflict(
                "sso_required",
                "The org requires single sign-on: turn the requirement off before removing its provider.",
            ));
        }
        let audit = self.audit(caller, org, AuditAction::SsoRemoved, json!({}));
        if self.ports.sso.delete_org_provider(org, &audit).await? {
            Ok(())
        } else {
            Err(DomainError::NotFound)
        }
    }

    /// The org's sign-in policy (admin+).
    pub async fn policy(&self, caller: &Caller, org: OrgId) -> Result<OrgPolicy, DomainError> {
        self.require_admin(caller, org).await?;
        let membership = self
            .ports
            .orgs
            .membership(org, caller.user.id)
            .await?
            .ok_or(DomainError::NotFound)?;
        Ok(membership.org.policy)
    }

    /// Replaces the org's sign-in policy (admin+). An admin cannot require what would shut them
    /// out: requiring MFA needs the admin enrolled, requiring SSO needs a provider and the admin
    /// signed in through one.
    pub async fn set_policy(
        &self,
        caller: &Caller,
        org: OrgId,
        input: PolicyInput,
    ) -> Result<OrgPolicy, DomainError> {
        self.require_admin(caller, org).await?;
        let policy = OrgPolicy {
            access: AccessPolicy {
                require_mfa: input.require_mfa,
                require_sso: input.require_sso,
            },
            allowed_email_domains: EmailDomain::parse_list(
                &input.allowed_email_domains,
                "allowed_email_domains",
            )?,
        };
        if policy.access.require_mfa && caller.user.mfa_enabled_at.is_none() {
            return Err(DomainError::invalid(
                "require_mfa",
                "enrol in MFA yourself before requiring it of the org",
            ));
        }
        if policy.access.require_sso {
            let has_provider = !self.settings.install_providers.is_empty()
                || self.ports.sso.org_provider(org).await?.is_some();
            if !has_provider {
                return Err(DomainError::invalid(
                    "require_sso",
                    "configure a single sign-on provider before requiring it",
                ));
            }
            if !sso_session_trusted_by(org, caller.signed_in_with) {
                return Err(DomainError::invalid(
                    "require_sso",
                    "sign in with single sign-on yourself, through this org's provider or the \
                     install's, before requiring it of the org",
                ));
            }
        }
        let audit = self.audit(
            caller,
            org,
            AuditAction::PolicyUpdated,
            json!({
                "require_mfa": policy.access.require_mfa,
                "require_sso": policy.access.require_sso,
                "allowed_email_domains": policy.allowed_email_domains.iter().map(EmailDomain::as_str).collect::<Vec<_>>(),
            }),
        );
        self.ports.sso.set_org_policy(org, &policy, &audit).await?;
        Ok(policy)
    }
}

fn view(stored: StoredOrgProvider) -> OrgSsoView {
    OrgSsoView {
        org_id: stored.org_id,
        issuer: stored.issuer,
        client_id: stored.client_id,
        allowed_domains: stored.allowed_domains,
        default_role: stored.default_role,
        updated_at: stored.updated_at,
    }
}

//! The email domains an org claims and proves through DNS (admin+), so its own provider may sign
//! in existing accounts of those domains.

use serde_json::json;

use crate::{
    AuditAction, Caller, DomainError, OrgId,
    sign_in::domain_verification::{MAX_DOMAINS_PER_ORG, OrgDomain},
    sign_in::org_policy::EmailDomain,
    sign_in::services::sso::SsoService,
};

impl SsoService {
    /// The domains the org claimed, proven or not (admin+).
    pub async fn org_domains(&self, caller: &Caller, org: OrgId) -> Result<Vec<OrgDomain>, DomainError> {
        self.require_admin(caller, org).await?;
        self.ports.sso.org_domains(org).await
    }

    /// Claims a domain for the org (admin+): the answer names the TXT record to publish. Claiming
    /// proves nothing yet; [`Self::verify_org_domain`] does.
    pub async fn add_org_domain(
        &self,
        caller: &Caller,
        org: OrgId,
        domain: &str,
    ) -> Result<OrgDomain, DomainError> {
        self.require_admin(caller, org).await?;
        let domain = EmailDomain::parse(domain, "domain")?;
        let existing = self.ports.sso.org_domains(org).await?;
        if existing.iter().any(|claimed| claimed.domain == domain) {
            return Err(already_claimed());
        }
        if existing.len() >= MAX_DOMAINS_PER_ORG {
            return Err(DomainError::invalid("domain", "an org claims at most 50 domains"));
        }
        let claimed = OrgDomain {
            org_id: org,
            domain,
            challenge: self.ports.secret_tokens.generate().expose().to_owned(),
            created_at: self.ports.clock.now(),
            verified_at: None,
        };
        let audit = self.audit(
            caller,
            org,
            AuditAction::DomainAdded,
            json!({ "domain": claimed.domain.as_str() }),
        );
        if !self.ports.sso.add_org_domain(&claimed, &audit).await? {
            return Err(already_claimed());
        }
        Ok(claimed)
    }

    /// Looks the domain's challenge up in DNS and marks the domain proven when it is there
    /// (admin+); `domain_unverified` names the record that is missing.
    pub async fn verify_org_domain(
        &self,
        caller: &Caller,
        org: OrgId,
        domain: &str,
    ) -> Result<OrgDomain, DomainError> {
        self.require_admin(caller, org).await?;
        let domain = EmailDomain::parse(domain, "domain").map_err(|_| DomainError::NotFound)?;
        let mut claimed = self
            .ports
            .sso
            .org_domains(org)
            .await?
            .into_iter()
            .find(|claimed| claimed.domain == domain)
            .ok_or(DomainError::NotFound)?;
        let records = self
            .ports
            .domain_verifier
            .txt_records(&claimed.record_name())
            .await?;
        if !claimed.challenge_met(&records) {
            return Err(DomainError::conflict(
                "domain_unverified",
                format!(
                    "No TXT record {:?} with the value {:?} was found: publish it, wait for DNS to \
                     serve it, and verify again.",
                    claimed.record_name(),
                    claimed.record_value()
                ),
            ));
        }
        if claimed.verified_at.is_none() {
            let at = self.ports.clock.now();
            let audit = self.audit(
                caller,
                org,
                AuditAction::DomainVerified,
                json!({ "domain": domain.as_str() }),
            );
            if !self
                .ports
                .sso
                .mark_domain_verified(org, &domain, at, &audit)
                .await?
            {
                return Err(DomainError::NotFound);
            }
            claimed.verified_at = Some(at);
        }
        Ok(claimed)
    }

    /// Gives a domain up (admin+): the org's provider no longer signs in existing accounts of it.
    pub async fn delete_org_domain(
        &self,
        caller: &Caller,
        org: OrgId,
        domain: &str,
    ) -> Result<(), DomainError> {
        self.require_admin(caller, org).await?;
        let domain = EmailDomain::parse(domain, "domain").map_err(|_| DomainError::NotFound)?;
        let audit = self.audit(
            caller,
            org,
            AuditAction::DomainRemoved,
            json!({ "domain": domain.as_str() }),
        );
        if self.ports.sso.delete_org_domain(org, &domain, &audit).await? {
            Ok(())
        } else {
            Err(DomainError::NotFound)
        }
    }

    /// The domains the org proved it controls.
    pub(crate) async fn verified_domains(&self, org: OrgId) -> Result<Vec<EmailDomain>, DomainError> {
        Ok(self
            .ports
            .sso
            .org_domains(org)
            .await?
            .into_iter()
            .filter(|claimed| claimed.verified_at.is_some())
            .map(|claimed| claimed.domain)
            .collect())
    }
}

/// The answer to a second claim of one domain by one org.
fn already_claimed() -> DomainError {
    DomainError::conflict(
        "domain_claimed",
        "This org has claimed the domain already: publish its TXT record and verify it.",
    )
}

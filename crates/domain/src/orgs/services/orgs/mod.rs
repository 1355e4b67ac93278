//! Orgs, members, invitations and the audit log.

mod default_org;
mod invitations;
mod members;
mod org_admin;

pub use org_admin::{NewOrgInput, OrgPatchInput};

use std::{sync::Arc, time::Duration};

use crate::{
    Caller, DomainError, OrgId,
    clock::Clock,
    orgs::invitation_acceptance::JoiningPolicy,
    ports::{
        AuditLog, Change, Credentials, Mailer, MemberDirectory, Membership, Orgs, SecretTokens, Signal,
        SignalBus, UnitOfWork,
    },
    services::EventPurger,
};

/// The adapters the org use cases need.
#[derive(Clone)]
pub struct OrgPorts {
    /// Orgs and memberships.
    pub orgs: Arc<dyn Orgs>,
    /// Members and invitations as listed.
    pub directory: Arc<dyn MemberDirectory>,
    /// The audit log.
    pub audit: Arc<dyn AuditLog>,
    /// Membership and invitation changes, decided under the org lock.
    pub unit_of_work: Arc<dyn UnitOfWork>,
    /// To find users by email.
    pub credentials: Arc<dyn Credentials>,
    /// Invitation tokens.
    pub secret_tokens: Arc<dyn SecretTokens>,
    /// Invitation mail.
    pub mailer: Arc<dyn Mailer>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Deletes the event objects of deleted orgs.
    pub purger: EventPurger,
    /// Tells followers that access in an org changed.
    pub signals: Arc<dyn SignalBus>,
}

/// Settings of the org use cases.
#[derive(Debug, Clone)]
pub struct OrgSettings {
    /// How long an invitation stays valid.
    pub invitation_ttl: Duration,
    /// Base URL of the web app, for links in mail.
    pub public_url: String,
    /// Who may join orgs.
    pub joining: JoiningPolicy,
}

/// The org use cases. Every method resolves the caller's membership once; a non-member gets
/// `NotFound` for everything in the org.
#[derive(Clone)]
pub struct OrgService {
    ports: OrgPorts,
    settings: Arc<OrgSettings>,
}

impl OrgService {
    /// The org use cases over the given adapters.
    pub fn new(ports: OrgPorts, settings: OrgSettings) -> Self {
        Self {
            ports,
            settings: Arc::new(settings),
        }
    }

    /// The caller's membership in `org`, or `NotFound` (also outside an API key's own org); refused
    /// when the org's policy shuts the caller out.
    pub async fn membership(&self, caller: &Caller, org: OrgId) -> Result<Membership, DomainError> {
        caller.reach(org)?;
        let membership = self
            .ports
            .orgs
            .membership(org, caller.user.id)
            .await?
            .ok_or(DomainError::NotFound)?;
        membership.org.policy.access.admit(org, caller)?;
        Ok(membership)
    }

    /// Tells followers that who may read what in `org` changed (after the change committed).
    async fn access_changed(&self, org: OrgId) {
        let _ = self.ports.signals.publish(Signal::AccessChanged { org }).await;
    }

    fn change(&self, caller: &Caller) -> Change {
        Change {
            actor: caller.user.id,
            at: self.ports.clock.now(),
        }
    }
}

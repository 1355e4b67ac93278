use uuid::Uuid;

use crate::{
    AuditAction, AuditEntry, Caller, DomainError, Email, Org, OrgId, OrgName, Role, UserId, new_id,
    orgs::last_owner::personal_org_conflict,
    orgs::policy::{Permission, require},
    orgs::services::orgs::{OrgService, members::actor_role},
    ports::{AuditFilter, Membership, OrgPatch},
};

/// What a client sends to create an org.
#[derive(Debug, Clone, Default)]
pub struct NewOrgInput {
    /// Name, unique case-insensitively among shared orgs.
    pub name: String,
    /// Contact name.
    pub contact_name: Option<String>,
    /// Contact email.
    pub contact_email: Option<String>,
}

/// What a client sends to change an org; absent fields stay as they are, `Some(None)` clears.
#[derive(Debug, Clone, Default)]
pub struct OrgPatchInput {
    /// New name.
    pub name: Option<String>,
    /// New contact name.
    pub contact_name: Option<Option<String>>,
    /// New contact email.
    pub contact_email: Option<Option<String>>,
}

fn contact_email(raw: Option<&str>) -> Result<Option<Email>, DomainError> {
    raw.map(|email| {
        Email::parse(email).map_err(|_| DomainError::invalid("contact_email", "is not a valid email address"))
    })
    .transpose()
}

fn contact_name(raw: Option<&str>) -> Result<Option<String>, DomainError> {
    match raw.map(str::trim) {
        Some(name) if name.chars().count() > 200 => Err(DomainError::invalid(
            "contact_name",
            "must be at most 200 characters",
        )),
        Some(name) if name.chars().any(char::is_control) => Err(DomainError::invalid(
            "contact_name",
            "must not contain control characters",
        )),
        Some("") | None => Ok(None),
        Some(name) => Ok(Some(name.to_owned())),
    }
}

impl OrgService {
    /// Every org the caller is in, with their role (for an API key: its own org only).
    pub async fn list_mine(&self, caller: &Caller) -> Result<Vec<Membership>, DomainError> {
        let mut orgs = self.ports.orgs.orgs_of(caller.user.id).await?;
        orgs.retain(|membership| caller.sees(membership.org.id));
        Ok(orgs)
    }

    /// Creates a shared org; the caller becomes its owner. A person's act, never an API key's.
    pub async fn create(&self, caller: &Caller, input: NewOrgInput) -> Result<Membership, DomainError> {
        caller.require_person()?;
        let change = self.change(caller);
        let org = Org {
            id: new_id(),
            name: OrgName::parse(&input.name)?,
            personal: false,
            contact_name: contact_name(input.contact_name.as_deref())?,
            contact_email: contact_email(input.contact_email.as_deref())?
                .map(|email| email.as_str().to_owned()),
            created_at: change.at,
            policy: Default::default(),
        };
        self.ports.orgs.create_org(&org, change).await?;
        Ok(Membership {
            org,
            role: crate::Role::Owner,
        })
    }

    /// The org, as seen by a member.
    pub async fn get(&self, caller: &Caller, org: OrgId) -> Result<Membership, DomainError> {
        self.membership(caller, org).await
    }

    /// Renames the org or changes its contact details (admin+).
    pub async fn update(
        &self,
        caller: &Caller,
        org: OrgId,
        input: OrgPatchInput,
    ) -> Result<Membership, DomainError> {
        let membership = self.membership(caller, org).await?;
        require(membership.role, Permission::UpdateOrg)?;
        let patch = OrgPatch {
            name: input.name.as_deref().map(OrgName::parse).transpose()?,
            contact_name: input
                .contact_name
                .map(|name| contact_name(name.as_deref()))
                .transpose()?,
            contact_email: input
                .contact_email
                .map(|email| contact_email(email.as_deref()))
                .transpose()?,
        };
        let org = self
            .ports
            .orgs
            .update_org(org, &patch, self.change(caller))
            .await?;
        Ok(Membership {
            org,
            role: membership.role,
        })
    }

    /// Deletes a shared org with everything in it (owner, signed in); its event objects follow.
    pub async fn delete(&self, caller: &Caller, org: OrgId) -> Result<(), DomainError> {
        let membership = self.membership(caller, org).await?;
        caller.require_person()?;
        require(membership.role, Permission::DeleteOrg)?;
        if membership.org.personal {
            return Err(personal_org_conflict());
        }
        self.ports.orgs.delete_org(org, self.change(caller)).await?;
        self.access_changed(org).await;
        // The deletion of its event objects is recorded; a failed purge is retried later.
        let _ = self.ports.purger.purge_pending().await;
        Ok(())
    }

    /// Makes `org` the caller's current org (account state: signed in only).
    pub async fn switch(&self, caller: &Caller, org: OrgId) -> Result<(), DomainError> {
        self.membership(caller, org).await?;
        caller.require_person()?;
        self.ports.orgs.set_current_org(caller.user.id, org).await
    }

    /// Makes `to` an owner; the caller becomes an admin (owner, signed in).
    pub async fn transfer(&self, caller: &Caller, org: OrgId, to: UserId) -> Result<Membership, DomainError> {
        let membership = self.membership(caller, org).await?;
        caller.require_person()?;
        require(membership.role, Permission::TransferOwnership)?;
        if membership.org.personal {
            return Err(personal_org_conflict());
        }
        if to == caller.user.id {
            return Err(DomainError::invalid("user_id", "is already an owner: you"));
        }
        let change = self.change(caller);
        let transaction = self.ports.unit_of_work.begin().await?;
        let locked = transaction.orgs().lock(org).await?;
        if locked.personal {
            return Err(personal_org_conflict());
        }
        require(
            actor_role(transaction.as_ref(), org, change).await?,
            Permission::TransferOwnership,
        )?;
        let members = transaction.members();
        let previous = members.role_of(org, to).await?.ok_or(DomainError::NotFound)?;
        members.set_role(org, to, Role::Owner).await?;
        members.set_role(org, change.actor, Role::Admin).await?;
        transaction
            .audit()
            .record(&change.audit(
                org,
                AuditAction::OwnershipTransferred,
                ("member", to),
                serde_json::json!({ "to": to, "to_previous_role": previous.name(), "from": change.actor }),
            ))
            .await?;
        transaction.commit().await?;
        self.access_changed(org).await;
        self.membership(caller, org).await
    }

    /// The org's audit log, newest first (admin+).
    pub async fn audit_log(
        &self,
        caller: &Caller,
        org: OrgId,
        before: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<AuditEntry>, DomainError> {
        let filter = AuditFilter {
            before,
            ..AuditFilter::default()
        };
        self.search_audit_log(caller, org, &filter, limit).await
    }

    /// The org's audit entries that `filter` admits, newest first (admin+).
    pub async fn search_audit_log(
        &self,
        caller: &Caller,
        org: OrgId,
        filter: &AuditFilter,
        limit: u64,
    ) -> Result<Vec<AuditEntry>, DomainError> {
        let membership = self.membership(caller, org).await?;
        require(membership.role, Permission::ReadAuditLog)?;
        self.ports.audit.entries(org, filter, limit).await
    }
}

use serde_json::json;

use crate::{
    AuditAction, AuditEntry, DomainError, Org, OrgId, OrgName, Role, new_id,
    orgs::default_org::name_taken_by_another_org, orgs::services::orgs::OrgService,
};

impl OrgService {
    /// The install's default org, created as `name` when the install has none (at start-up; a
    /// renamed default org stays the default). Created on an install that has a superadmin, the
    /// oldest one owns it; on a fresh install it waits, without members, for the first account (which
    /// becomes its owner as it registers). Instances starting together create it once. An org that
    /// was not created as the default is never adopted because of its name.
    pub async fn ensure_default_org(&self, name: &str) -> Result<OrgId, DomainError> {
        let name = OrgName::parse(name).map_err(|_| {
            DomainError::invalid("orgs.default_org", "must be an org name of 1 to 100 characters")
        })?;
        let at = self.ports.clock.now();
        let transaction = self.ports.unit_of_work.begin().await?;
        // The install lock: a first registration either sees the org or is seen by it.
        transaction.users().lock_superadmins().await?;
        if let Some(existing) = transaction.orgs().marked_default_org().await? {
            transaction.commit().await?;
            return Ok(existing);
        }
        if transaction.orgs().shared_org_named(&name).await?.is_some() {
            return Err(name_taken_by_another_org(name.as_str()));
        }
        let org = Org {
            id: new_id(),
            name,
            personal: false,
            contact_name: None,
            contact_email: None,
            created_at: at,
            policy: Default::default(),
        };
        transaction.orgs().insert_default_org(&org).await?;
        let owner = transaction.users().oldest_superadmin().await?;
        if let Some(owner) = owner {
            transaction
                .members()
                .insert(org.id, owner, Role::Owner, at)
                .await?;
        }
        transaction
            .audit()
            .record(&AuditEntry::new(
                org.id,
                at,
                None,
                AuditAction::OrgCreated,
                ("org", Some(org.id.to_string())),
                json!({ "name": org.name.as_str(), "via": "default_org", "owner": owner }),
            ))
            .await?;
        transaction.commit().await?;
        Ok(org.id)
    }
}

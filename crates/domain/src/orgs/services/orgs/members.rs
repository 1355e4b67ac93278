use serde_json::json;

use crate::{
    AuditAction, Caller, DomainError, Email, OrgId, Role, UserId,
    identity::credential_lifecycle::{CredentialEnd, revocation_for},
    orgs::invitation_acceptance::decide_joining,
    orgs::membership_rules::{MembershipFacts, decide_addition, decide_removal, decide_role_change},
    orgs::services::orgs::OrgService,
    ports::{Change, MemberView, Transaction},
};

impl OrgService {
    /// The org's members (any member may list them).
    pub async fn members(&self, caller: &Caller, org: OrgId) -> Result<Vec<MemberView>, DomainError> {
        self.membership(caller, org).await?;
        self.ports.directory.members(org).await
    }

    /// Adds an existing user by email (admin+, not above the caller's own role).
    pub async fn add_member(
        &self,
        caller: &Caller,
        org: OrgId,
        email: &str,
        role: Role,
    ) -> Result<MemberView, DomainError> {
        let membership = self.membership(caller, org).await?;
        decide_addition(membership.role, role, membership.org.personal)?;
        let email = Email::parse(email)?;
        membership.org.policy.check_email(&email, "email")?;
        let user = self
            .ports
            .credentials
            .credentials_by_email(&email)
            .await?
            .ok_or(DomainError::NotFound)?
            .user;
        decide_joining(self.settings.joining, user.email_verified())?;
        let change = self.change(caller);
        let transaction = self.ports.unit_of_work.begin().await?;
        let locked = transaction.orgs().lock(org).await?;
        decide_addition(
            actor_role(transaction.as_ref(), org, change).await?,
            role,
            locked.personal,
        )?;
        let members = transaction.members();
        if members.role_of(org, user.id).await?.is_some() {
            return Err(DomainError::conflict(
                "already_member",
                "This user is already a member of the org.",
            ));
        }
        members.insert(org, user.id, role, change.at).await?;
        transaction
            .audit()
            .record(&change.audit(
                org,
                AuditAction::MemberAdded,
                ("member", user.id),
                json!({ "role": role.name() }),
            ))
            .await?;
        let view = members.view(org, user.id).await?.ok_or(DomainError::NotFound)?;
        transaction.commit().await?;
        Ok(view)
    }

    /// Changes a member's role (admin+, never to or of a role above the caller's).
    pub async fn change_role(
        &self,
        caller: &Caller,
        org: OrgId,
        target: UserId,
        role: Role,
    ) -> Result<MemberView, DomainError> {
        self.membership(caller, org).await?;
        let change = self.change(caller);
        let transaction = self.ports.unit_of_work.begin().await?;
        let facts = facts_under_lock(transaction.as_ref(), org, target, change).await?;
        decide_role_change(facts, role)?;
        let members = transaction.members();
        if facts.target_role != role {
            members.set_role(org, target, role).await?;
            transaction
                .audit()
                .record(&change.audit(
                    org,
                    AuditAction::MemberRoleChanged,
                    ("member", target),
                    json!({ "from": facts.target_role.name(), "to": role.name() }),
                ))
                .await?;
        }
        let view = members.view(org, target).await?.ok_or(DomainError::NotFound)?;
        transaction.commit().await?;
        self.access_changed(org).await;
        Ok(view)
    }

    /// Removes a member (admin+), or lets the caller leave. What the membership granted leaves with
    /// it, in the same transaction: their API keys for the org, the sandboxes they registered and
    /// the share links they created there are revoked for good, the invitations they sent (which carry their authority) are
    /// revoked, and if the org was their current org they are moved back to their personal org.
    pub async fn remove_member(
        &self,
        caller: &Caller,
        org: OrgId,
        target: UserId,
    ) -> Result<(), DomainError> {
        self.membership(caller, org).await?;
        let change = self.change(caller);
        let transaction = self.ports.unit_of_work.begin().await?;
        let facts = facts_under_lock(transaction.as_ref(), org, target, change).await?;
        decide_removal(facts)?;
        transaction.members().delete(org, target).await?;
        transaction
            .member_grants()
            .revoke(
                target,
                &revocation_for(CredentialEnd::MembershipEnded(org)),
                change.at,
            )
            .await?;
        let invitations_revoked = transaction
            .invitations()
            .revoke_sent_by(org, target, change.at)
            .await?;
        let users = transaction.users();
        if users.current_org(target).await? == Some(org) {
            let personal = transaction.orgs().personal_org_of(target).await?;
            users.set_current_org(target, personal, change.at).await?;
        }
        transaction
            .audit()
            .record(&change.audit(
                org,
                AuditAction::MemberRemoved,
                ("member", target),
                json!({
                    "role": facts.target_role.name(),
                    "left": facts.is_self,
                    "invitations_revoked": invitations_revoked,
                }),
            ))
            .await?;
        transaction.commit().await?;
        self.access_changed(org).await;
        Ok(())
    }
}

/// The acting member's role as it is now (under the org lock); a former member acts on nothing.
pub(super) async fn actor_role(
    transaction: &dyn Transaction,
    org: OrgId,
    change: Change,
) -> Result<Role, DomainError> {
    transaction
        .members()
        .role_of(org, change.actor)
        .await?
        .ok_or(DomainError::NotFound)
}

/// Locks the org and reads what a change of `target`'s membership is decided on.
async fn facts_under_lock(
    transaction: &dyn Transaction,
    org: OrgId,
    target: UserId,
    change: Change,
) -> Result<MembershipFacts, DomainError> {
    let locked = transaction.orgs().lock(org).await?;
    let actor_role = actor_role(transaction, org, change).await?;
    let members = transaction.members();
    let target_role = members.role_of(org, target).await?.ok_or(DomainError::NotFound)?;
    Ok(MembershipFacts {
        actor_role,
        target_role,
        is_self: target == change.actor,
        owners: members.owner_count(org).await?,
        personal: locked.personal,
    })
}

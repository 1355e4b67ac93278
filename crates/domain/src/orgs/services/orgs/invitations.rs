use uuid::Uuid;

use serde_json::json;

use crate::{
    AuditAction, Caller, DomainError, Email, Invitation, OrgId, Role, SecretString, new_id,
    orgs::invitation_acceptance::{AcceptanceFacts, decide_acceptance},
    orgs::membership_rules::decide_addition,
    orgs::policy::{Permission, require},
    orgs::services::orgs::{OrgService, members::actor_role},
    ports::{Change, Mail, MemberView, OpenInvitation},
    sign_in::org_policy::email_in_domains,
};

impl OrgService {
    /// Invites an email with a role (admin+, not above the caller's own); the token goes out by mail.
    pub async fn invite(
        &self,
        caller: &Caller,
        org: OrgId,
        email: &str,
        role: Role,
    ) -> Result<Invitation, DomainError> {
        let membership = self.membership(caller, org).await?;
        decide_addition(membership.role, role, membership.org.personal)?;
        let email = Email::parse(email)?;
        membership.org.policy.check_email(&email, "email")?;
        let change = self.change(caller);
        let token = self.ports.secret_tokens.generate();
        let invitation = Invitation {
            id: new_id(),
            org_id: org,
            email: email.clone(),
            role,
            invited_by: caller.user.id,
            created_at: change.at,
            expires_at: change.at + self.settings.invitation_ttl,
        };
        let digest = self.ports.secret_tokens.digest(token.expose());
        self.store_invitation(&invitation, &digest, change).await?;
        self.send_invitation(caller, membership.org.name.as_str(), &invitation, &token)
            .await?;
        Ok(invitation)
    }

    async fn send_invitation(
        &self,
        caller: &Caller,
        org_name: &str,
        invitation: &Invitation,
        token: &SecretString,
    ) -> Result<(), DomainError> {
        let link = format!(
            "{}/invitations/accept?token={}",
            self.settings.public_url,
            token.expose()
        );
        self.ports
            .mailer
            .send(Mail {
                to: invitation.email.clone(),
                subject: format!("{} invited you to {org_name}", caller.user.name),
                body: format!(
                    "Hello,\n\n{} ({}) invited you to join {org_name} as {}.\n\nAccept by opening this \
                     link:\n\n{link}\n\nor, signed in as {}, by sending this token to POST \
                     /api/invitations/accept:\n\n{}\n\nThe invitation expires on {}.\n",
                    caller.user.name,
                    caller.user.email,
                    invitation.role.name(),
                    invitation.email,
                    token.expose(),
                    invitation.expires_at.format("%Y-%m-%d %H:%M UTC"),
                ),
            })
            .await
    }

    /// Pending invitations of the org (admin+).
    pub async fn invitations(&self, caller: &Caller, org: OrgId) -> Result<Vec<Invitation>, DomainError> {
        let membership = self.membership(caller, org).await?;
        require(membership.role, Permission::ManageMembers)?;
        self.ports
            .directory
            .pending_invitations(org, self.ports.clock.now())
            .await
    }

    /// Revokes a pending invitation (admin+).
    pub async fn revoke_invitation(&self, caller: &Caller, org: OrgId, id: Uuid) -> Result<(), DomainError> {
        let membership = self.membership(caller, org).await?;
        require(membership.role, Permission::ManageMembers)?;
        let change = self.change(caller);
        let transaction = self.ports.unit_of_work.begin().await?;
        if !transaction.invitations().revoke(org, id, change.at).await? {
            return Err(DomainError::NotFound);
        }
        transaction
            .audit()
            .record(&change.audit(org, AuditAction::InvitationRevoked, ("invitation", id), json!({})))
            .await?;
        transaction.commit().await
    }

    /// Joins the org of the invitation; the caller's email must be the invited one, and joining is
    /// the person's own act (never an API key's).
    pub async fn accept_invitation(
        &self,
        caller: &Caller,
        token: &SecretString,
    ) -> Result<MemberView, DomainError> {
        caller.require_person()?;
        let digest = self.ports.secret_tokens.digest(token.expose());
        let user = &caller.user;
        let at = self.ports.clock.now();
        let transaction = self.ports.unit_of_work.begin().await?;
        let OpenInvitation { invitation, inviter } = transaction
            .invitations()
            .lock_open_by_digest(&digest)
            .await?
            .ok_or(DomainError::NotFound)?;
        let org = invitation.org_id;
        let locked = transaction.orgs().lock(org).await?;
        let members = transaction.members();
        let inviter_role_now = match inviter {
            Some(inviter) => members.role_of(org, inviter).await?,
            None => None,
        };
        let facts = AcceptanceFacts {
            role: invitation.role,
            expires_at: invitation.expires_at,
            email_matches: invitation.email == user.email,
            email_verified: user.email_verified(),
            personal: locked.personal,
            already_member: members.role_of(org, user.id).await?.is_some(),
            inviter_role_now,
            email_domain_allowed: email_in_domains(&user.email, &locked.policy.allowed_email_domains),
        };
        let role = decide_acceptance(&facts, self.settings.joining, at)?;
        members.insert(org, user.id, role, at).await?;
        transaction
            .invitations()
            .mark_accepted(invitation.id, user.id, at)
            .await?;
        let change = Change { actor: user.id, at };
        transaction
            .audit()
            .record(&change.audit(
                org,
                AuditAction::InvitationAccepted,
                ("invitation", invitation.id),
                json!({ "user_id": user.id, "role": role.name() }),
            ))
            .await?;
        let view = members.view(org, user.id).await?.ok_or(DomainError::NotFound)?;
        transaction.commit().await?;
        Ok(view)
    }

    /// Stores an invitation as [`decide_addition`] allows it with the inviter's role read under the
    /// org lock: never to a member's email, never twice to a pending one.
    async fn store_invitation(
        &self,
        invitation: &Invitation,
        token_digest: &str,
        change: Change,
    ) -> Result<(), DomainError> {
        let org = invitation.org_id;
        let transaction = self.ports.unit_of_work.begin().await?;
        let locked = transaction.orgs().lock(org).await?;
        decide_addition(
            actor_role(transaction.as_ref(), org, change).await?,
            invitation.role,
            locked.personal,
        )?;
        if transaction.members().has_email(org, &invitation.email).await? {
            return Err(DomainError::conflict(
                "already_member",
                "This email belongs to a member of the org.",
            ));
        }
        let invitations = transaction.invitations();
        if invitations.pending_for(org, &invitation.email, change.at).await? {
            return Err(DomainError::conflict(
                "already_invited",
                "This email already has a pending invitation; revoke it to send a new one.",
            ));
        }
        invitations.insert(invitation, token_digest).await?;
        transaction
            .audit()
            .record(&change.audit(
                org,
                AuditAction::InvitationSent,
                ("invitation", invitation.id),
                json!({ "email": invitation.email.as_str(), "role": invitation.role.name() }),
            ))
            .await?;
        transaction.commit().await
    }
}

use uuid::Uuid;

use serde_json::json;

use crate::{
    AuditAction, Caller, DomainError, Email, Invitation, Org, OrgId, Role, SecretString, new_id,
    orgs::invitation_acceptance::{AcceptanceFacts, decide_acceptance},
    orgs::invitation_preview::{InvitationPreview, shown_email, shown_inviter},
    orgs::membership_rules::decide_addition,
    orgs::policy::{Permission, require},
    orgs::services::orgs::{OrgService, members::actor_role},
    ports::{Change, Mail, MemberView, OpenInvitation, Transaction},
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
        let user = &caller.user;
        let at = self.ports.clock.now();
        let transaction = self.ports.unit_of_work.begin().await?;
        let (OpenInvitation { invitation, .. }, _, facts) =
            self.acceptance_facts(transaction.as_ref(), caller, token).await?;
        let org = invitation.org_id;
        let role = decide_acceptance(&facts, self.settings.joining, at)?;
        let members = transaction.members();
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

    /// What the invitation's page shows before "Accept": the org, the inviter, the role, and why
    /// accepting would be refused now, read as accepting reads it (and changing nothing). An
    /// unknown, spent or revoked token is not found.
    pub async fn preview_invitation(
        &self,
        caller: &Caller,
        token: &SecretString,
    ) -> Result<InvitationPreview, DomainError> {
        caller.require_person()?;
        let at = self.ports.clock.now();
        let transaction = self.ports.unit_of_work.begin().await?;
        let (OpenInvitation { invitation, inviter }, org, facts) =
            self.acceptance_facts(transaction.as_ref(), caller, token).await?;
        let inviter = match inviter.filter(|_| facts.inviter_role_now.is_some()) {
            Some(inviter) => transaction
                .members()
                .view(invitation.org_id, inviter)
                .await?
                .map(|view| shown_inviter(facts.email_matches, view.name, view.email)),
            None => None,
        };
        drop(transaction);
        Ok(InvitationPreview {
            org_id: invitation.org_id,
            org_name: org.name.as_str().to_owned(),
            role: invitation.role,
            inviter,
            email: shown_email(&invitation.email, &caller.user.email),
            for_caller: facts.email_matches,
            expires_at: invitation.expires_at,
            refusal: decide_acceptance(&facts, self.settings.joining, at).err(),
        })
    }

    /// The open invitation of `token`, its org and the facts accepting it is decided on, read
    /// under the invitation's and the org's locks.
    async fn acceptance_facts(
        &self,
        transaction: &dyn Transaction,
        caller: &Caller,
        token: &SecretString,
    ) -> Result<(OpenInvitation, Org, AcceptanceFacts), DomainError> {
        let digest = self.ports.secret_tokens.digest(token.expose());
        let user = &caller.user;
        let open = transaction
            .invitations()
            .lock_open_by_digest(&digest)
            .await?
            .ok_or(DomainError::NotFound)?;
        let org = open.invitation.org_id;
        let locked = transaction.orgs().lock(org).await?;
        let members = transaction.members();
        let inviter_role_now = match open.inviter {
            Some(inviter) => members.role_of(org, inviter).await?,
            None => None,
        };
        let facts = AcceptanceFacts {
            role: open.invitation.role,
            expires_at: open.invitation.expires_at,
            email_matches: open.invitation.email == user.email,
            email_verified: user.email_verified(),
            personal: locked.personal,
            already_member: members.role_of(org, user.id).await?.is_some(),
            inviter_role_now,
            email_domain_allowed: email_in_domains(&user.email, &locked.policy.allowed_email_domains),
        };
        Ok((open, locked, facts))
    }

    /// Sends a pending invitation again (admin+): a new link with a new expiry replaces it, and the
    /// old link stops working. Decided as a new invitation would be, by the caller's rights now.
    pub async fn resend_invitation(
        &self,
        caller: &Caller,
        org: OrgId,
        id: Uuid,
    ) -> Result<Invitation, DomainError> {
        let membership = self.membership(caller, org).await?;
        require(membership.role, Permission::ManageMembers)?;
        let change = self.change(caller);
        let pending = self
            .ports
            .directory
            .pending_invitations(org, change.at)
            .await?
            .into_iter()
            .find(|invitation| invitation.id == id)
            .ok_or(DomainError::NotFound)?;
        let token = self.ports.secret_tokens.generate();
        let invitation = Invitation {
            id: new_id(),
            invited_by: caller.user.id,
            created_at: change.at,
            expires_at: change.at + self.settings.invitation_ttl,
            ..pending
        };
        let digest = self.ports.secret_tokens.digest(token.expose());
        self.store_invitation_replacing(&invitation, &digest, change, Some(id))
            .await?;
        self.send_invitation(caller, membership.org.name.as_str(), &invitation, &token)
            .await?;
        Ok(invitation)
    }

    /// Stores an invitation as [`decide_addition`] allows it with the inviter's role read under the
    /// org lock: never to a member's email, never twice to a pending one.
    async fn store_invitation(
        &self,
        invitation: &Invitation,
        token_digest: &str,
        change: Change,
    ) -> Result<(), DomainError> {
        self.store_invitation_replacing(invitation, token_digest, change, None)
            .await
    }

    /// [`Self::store_invitation`], revoking the pending invitation `replaces` in the same
    /// transaction (not found when it is no longer pending).
    async fn store_invitation_replacing(
        &self,
        invitation: &Invitation,
        token_digest: &str,
        change: Change,
        replaces: Option<Uuid>,
    ) -> Result<(), DomainError> {
        let org = invitation.org_id;
        let transaction = self.ports.unit_of_work.begin().await?;
        // The replaced invitation's row first, then the org: the order accepting one takes them in.
        if let Some(old) = replaces
            && !transaction.invitations().revoke(org, old, change.at).await?
        {
            return Err(DomainError::NotFound);
        }
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
                json!({
                    "email": invitation.email.as_str(),
                    "role": invitation.role.name(),
                    "replaces": replaces,
                }),
            ))
            .await?;
        transaction.commit().await
    }
}

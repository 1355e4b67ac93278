use uuid::Uuid;

use crate::{
    Caller, DomainError, Email, Invitation, OrgId, Role, SecretString,
    membership_rules::decide_addition,
    new_id,
    policy::{Permission, require},
    ports::{Mail, MemberView},
    services::orgs::OrgService,
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
        self.ports
            .store
            .create_invitation(&invitation, &digest, change)
            .await?;
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
            .store
            .pending_invitations(org, self.ports.clock.now())
            .await
    }

    /// Revokes a pending invitation (admin+).
    pub async fn revoke_invitation(&self, caller: &Caller, org: OrgId, id: Uuid) -> Result<(), DomainError> {
        let membership = self.membership(caller, org).await?;
        require(membership.role, Permission::ManageMembers)?;
        self.ports
            .store
            .revoke_invitation(org, id, self.change(caller))
            .await
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
        self.ports
            .store
            .accept_invitation(
                &digest,
                &caller.user,
                self.settings.joining,
                self.ports.clock.now(),
            )
            .await
    }
}

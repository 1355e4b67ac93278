use crate::{
    Caller, DomainError, Email, OrgId, Role, UserId, invitation_acceptance::decide_joining,
    membership_rules::decide_addition, ports::MemberView, services::orgs::OrgService,
};

impl OrgService {
    /// The org's members (any member may list them).
    pub async fn members(&self, caller: &Caller, org: OrgId) -> Result<Vec<MemberView>, DomainError> {
        self.membership(caller, org).await?;
        self.ports.store.members(org).await
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
        let user = self
            .ports
            .users
            .credentials_by_email(&email)
            .await?
            .ok_or(DomainError::NotFound)?
            .user;
        decide_joining(self.settings.joining, user.email_verified())?;
        self.ports
            .store
            .add_member(org, user.id, role, self.change(caller))
            .await
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
        self.ports
            .store
            .change_role(org, target, role, self.change(caller))
            .await
    }

    /// Removes a member (admin+), or lets the caller leave.
    pub async fn remove_member(
        &self,
        caller: &Caller,
        org: OrgId,
        target: UserId,
    ) -> Result<(), DomainError> {
        self.membership(caller, org).await?;
        self.ports
            .store
            .remove_member(org, target, self.change(caller))
            .await
    }
}

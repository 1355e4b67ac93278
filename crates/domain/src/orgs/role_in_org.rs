//! A caller's role in an org, as the services read it before deciding: the caller must reach the org
//! (an API key reaches only its own), be a member, and be admitted by the org's sign-in policy.

use crate::{Caller, DomainError, OrgId, Role, ports::Orgs};

/// The caller's role in `org`: `NotFound` outside an API key's org and for non-members; refused
/// when the org's policy shuts the caller out.
pub async fn role_in(orgs: &dyn Orgs, caller: &Caller, org: OrgId) -> Result<Role, DomainError> {
    caller.reach(org)?;
    let membership = orgs
        .membership(org, caller.user.id)
        .await?
        .ok_or(DomainError::NotFound)?;
    membership.org.policy.access.admit(org, caller)?;
    Ok(membership.role)
}

//! Who is calling, and how far the caller reaches. A signed-in person acts in every org they are a
//! member of and for their own account. An API key acts as its user inside its own org only: every
//! other org does not exist for it, and what concerns the account itself (orgs of its own, joining
//! orgs, passwords, sessions) needs the person.

use uuid::Uuid;

use crate::{DomainError, OrgId, Role, User, UserId, identity::session::SignInMethod};

/// What an API key grants: its user, inside one org, with optional extra scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyGrant {
    /// The key.
    pub key_id: Uuid,
    /// The only org it works in.
    pub org_id: OrgId,
    /// Extra scopes.
    pub scopes: Vec<crate::identity::api_key::ApiKeyScope>,
}

/// A request's verified caller, as every service receives it.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user, as stored now.
    pub user: User,
    /// The session (refresh-token family) the access token belongs to.
    pub session_id: Option<Uuid>,
    /// Set when the caller used an API key: what the key allows.
    pub api_key: Option<ApiKeyGrant>,
    /// How the caller's session was signed in (`None` for API keys and a no-auth install).
    pub signed_in_with: Option<SignInMethod>,
}

/// Who a read is for: a caller already confirmed, or an access token whose session the read itself
/// confirms (so an authenticated read can be one round trip to the store).
#[derive(Debug, Clone, Copy)]
pub enum Claimant<'a> {
    /// A caller confirmed before the read (an API key, a no-auth install, a checked session).
    Confirmed(&'a Caller),
    /// A verified access token whose session is confirmed together with the read.
    Session(&'a crate::identity::session::AccessClaims),
}

impl Claimant<'_> {
    /// The user the claimant names (for a session, the one its token names).
    pub fn user_id(&self) -> UserId {
        match self {
            Claimant::Confirmed(caller) => caller.user.id,
            Claimant::Session(claims) => claims.user_id,
        }
    }
}

impl<'a> From<&'a Caller> for Claimant<'a> {
    fn from(caller: &'a Caller) -> Self {
        Claimant::Confirmed(caller)
    }
}

impl Caller {
    /// A signed-in person (or the local user of a no-auth install, without a session).
    pub fn person(user: User, session_id: Option<Uuid>) -> Self {
        Self {
            user,
            session_id,
            api_key: None,
            signed_in_with: None,
        }
    }

    /// The same caller, its session signed in with `method`.
    pub fn signed_in_with(mut self, method: SignInMethod) -> Self {
        self.signed_in_with = Some(method);
        self
    }

    /// The user acting through an API key.
    pub fn through_api_key(user: User, grant: ApiKeyGrant) -> Self {
        Self {
            user,
            session_id: None,
            api_key: Some(grant),
            signed_in_with: None,
        }
    }

    /// The acting user's id.
    pub fn user_id(&self) -> UserId {
        self.user.id
    }

    /// `NotFound` for an org outside an API key's own: for a key, no other org exists.
    pub fn reach(&self, org: OrgId) -> Result<(), DomainError> {
        match &self.api_key {
            Some(grant) if grant.org_id != org => Err(DomainError::NotFound),
            _ => Ok(()),
        }
    }

    /// `Forbidden` for an API key: the action concerns the account, which only its person may act for.
    pub fn require_person(&self) -> Result<(), DomainError> {
        if self.api_key.is_some() {
            Err(DomainError::Forbidden)
        } else {
            Ok(())
        }
    }

    /// Whether the caller holds `scope`: people hold every scope, keys the ones they were given.
    pub fn has_scope(&self, scope: crate::identity::api_key::ApiKeyScope) -> bool {
        self.api_key
            .as_ref()
            .is_none_or(|grant| grant.scopes.contains(&scope))
    }

    /// Whether an org is visible to the caller at all (for listings).
    pub fn sees(&self, org: OrgId) -> bool {
        self.reach(org).is_ok()
    }
}

/// The caller's role from a membership read together with other data, once the org's policy admits
/// the caller; `NotFound` for a non-member.
pub fn admitted_role(
    caller: &Caller,
    org: OrgId,
    access: Option<crate::sign_in::org_policy::MemberAccess>,
) -> Result<Role, DomainError> {
    let access = access.ok_or(DomainError::NotFound)?;
    access.policy.admit(org, caller)?;
    Ok(access.role)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::{Email, new_id};

    fn user() -> User {
        User {
            id: new_id(),
            email: Email::parse("a@example.com").expect("email"),
            name: "A".into(),
            email_verified_at: None,
            current_org_id: None,
            is_superadmin: false,
            token_epoch: 0,
            disabled_at: None,
            mfa_enabled_at: None,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn a_key_reaches_its_own_org_only_and_never_acts_for_the_account() {
        let own = new_id();
        let key = Caller::through_api_key(
            user(),
            ApiKeyGrant {
                key_id: new_id(),
                org_id: own,
                scopes: vec![],
            },
        );
        assert!(key.reach(own).is_ok());
        assert!(matches!(key.reach(new_id()), Err(DomainError::NotFound)));
        assert!(matches!(key.require_person(), Err(DomainError::Forbidden)));
        assert!(!key.has_scope(crate::identity::api_key::ApiKeyScope::SecretsRead));
    }

    #[test]
    fn a_person_reaches_everywhere_and_holds_every_scope() {
        let person = Caller::person(user(), Some(new_id()));
        assert!(person.reach(new_id()).is_ok());
        assert!(person.require_person().is_ok());
        assert!(person.has_scope(crate::identity::api_key::ApiKeyScope::SecretsRead));
    }
}

//! Which org a request of the OpenHands Cloud API acts in: the org `X-Org-Id` names, else the API
//! key's own org (OpenHands' SDK never names one, so a key acts in its org), else the caller's
//! current org. Whether the caller belongs to it is decided where the org is used.

use crate::{Caller, DomainError, OrgId};

/// The org of the request; an org an API key cannot reach is 404, as is a person without a
/// current org who names none.
pub fn request_org(named: Option<OrgId>, caller: &Caller) -> Result<OrgId, DomainError> {
    if let Some(org) = named {
        caller.reach(org)?;
        return Ok(org);
    }
    if let Some(grant) = &caller.api_key {
        return Ok(grant.org_id);
    }
    caller.user.current_org_id.ok_or(DomainError::NotFound)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use uuid::Uuid;

    use super::*;
    use crate::{ApiKeyGrant, Email, User};

    fn user(current: Option<OrgId>) -> User {
        User {
            id: Uuid::new_v4(),
            email: Email::parse("a@example.com").expect("email"),
            name: "A".into(),
            email_verified_at: None,
            current_org_id: current,
            is_superadmin: false,
            token_epoch: 0,
            disabled_at: None,
            mfa_enabled_at: None,
            created_at: Utc::now(),
        }
    }

    fn keyed(org: OrgId) -> Caller {
        Caller::through_api_key(
            user(None),
            ApiKeyGrant {
                key_id: Uuid::new_v4(),
                org_id: org,
                scopes: Vec::new(),
            },
        )
    }

    #[test]
    fn the_named_org_wins() {
        let (current, named) = (Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(
            request_org(Some(named), &Caller::person(user(Some(current)), None)).ok(),
            Some(named)
        );
    }

    #[test]
    fn a_key_acts_in_its_own_org() {
        let org = Uuid::new_v4();
        assert_eq!(request_org(None, &keyed(org)).ok(), Some(org));
    }

    #[test]
    fn a_key_cannot_name_another_org() {
        assert!(matches!(
            request_org(Some(Uuid::new_v4()), &keyed(Uuid::new_v4())),
            Err(DomainError::NotFound)
        ));
    }

    #[test]
    fn a_person_acts_in_their_current_org() {
        let current = Uuid::new_v4();
        assert_eq!(
            request_org(None, &Caller::person(user(Some(current)), None)).ok(),
            Some(current)
        );
        assert!(request_org(None, &Caller::person(user(None), None)).is_err());
    }
}

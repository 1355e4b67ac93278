//! Which LLM key a conversation started on a sandbox carries. The org's key is write-only for
//! members: it goes only to sandboxes the org trusts with it (registered by an admin or owner who
//! still is one, or started by Tenantry itself) at a URL the outbound policy allows. Any other
//! sandbox gets the member's own key, or nothing when the org's key would have been the one.

use crate::{DomainError, Role, agents::sandbox::SandboxOrigin};

/// Whether a sandbox may receive the org's LLM key: its URL passes the outbound policy, and it
/// was started by Tenantry or registered by an admin+ who is still admin+ in the org.
pub fn trusted_with_org_key(
    origin: SandboxOrigin,
    creator_role_now: Option<Role>,
    url_allowed: bool,
) -> bool {
    url_allowed
        && match origin {
            SandboxOrigin::Provisioned => true,
            SandboxOrigin::Registered { role } => {
                let admin = |role: Option<Role>| role.is_some_and(|role| role.is_at_least(Role::Admin));
                admin(role) && admin(creator_role_now)
            }
        }
}

/// What is known when a conversation starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LlmKeyFacts {
    /// The sandbox may receive the org's key ([`trusted_with_org_key`]).
    pub sandbox_trusted: bool,
    /// The member may use a key of their own (`llm_api_key` is not locked by the org).
    pub member_key_allowed: bool,
    /// The member stored a key of their own in the org.
    pub member_key_stored: bool,
    /// The org stored a key.
    pub org_key_stored: bool,
}

/// The key a conversation carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LlmKeyChoice {
    /// The member's own.
    Member,
    /// The org's.
    Org,
    /// None (the agent server uses whatever it has).
    None,
}

/// The key to send: the member's own unless locked, else the org's when the sandbox is trusted
/// with it; a sandbox that would need the org's key and is not trusted is refused (403).
pub fn decide_llm_key(facts: LlmKeyFacts) -> Result<LlmKeyChoice, DomainError> {
    if facts.member_key_allowed && facts.member_key_stored {
        return Ok(LlmKeyChoice::Member);
    }
    if !facts.org_key_stored {
        return Ok(LlmKeyChoice::None);
    }
    if facts.sandbox_trusted {
        return Ok(LlmKeyChoice::Org);
    }
    Err(DomainError::refused(
        "org_llm_key_withheld",
        if facts.member_key_allowed {
            "The org's LLM key is only sent to sandboxes an admin registered; set your own key \
             (PATCH …/settings/me {\"llm_api_key\": …}) or ask an admin to register the sandbox."
        } else {
            "The org's LLM key is locked and only sent to sandboxes an admin registered; ask an \
             admin to register the sandbox."
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by(role: Role) -> SandboxOrigin {
        SandboxOrigin::Registered { role: Some(role) }
    }

    fn facts(
        sandbox_trusted: bool,
        member_key_allowed: bool,
        member_key_stored: bool,
        org_key_stored: bool,
    ) -> LlmKeyFacts {
        LlmKeyFacts {
            sandbox_trusted,
            member_key_allowed,
            member_key_stored,
            org_key_stored,
        }
    }

    fn withheld(facts: LlmKeyFacts) -> bool {
        matches!(
            decide_llm_key(facts),
            Err(DomainError::Refused {
                code: "org_llm_key_withheld",
                ..
            })
        )
    }

    #[test]
    fn a_sandbox_an_admin_registered_is_trusted_while_its_creator_stays_admin() {
        assert!(trusted_with_org_key(by(Role::Admin), Some(Role::Owner), true));
        assert!(trusted_with_org_key(by(Role::Owner), Some(Role::Admin), true));
    }

    #[test]
    fn a_sandbox_registered_below_admin_is_not_trusted() {
        assert!(!trusted_with_org_key(
            by(Role::Developer),
            Some(Role::Admin),
            true
        ));
        assert!(!trusted_with_org_key(
            SandboxOrigin::Registered { role: None },
            Some(Role::Owner),
            true
        ));
    }

    #[test]
    fn a_creator_demoted_or_gone_takes_the_trust_away() {
        assert!(!trusted_with_org_key(
            by(Role::Admin),
            Some(Role::Developer),
            true
        ));
        assert!(!trusted_with_org_key(by(Role::Admin), None, true));
    }

    #[test]
    fn a_url_off_the_allow_list_is_never_trusted() {
        assert!(!trusted_with_org_key(by(Role::Admin), Some(Role::Admin), false));
        assert!(!trusted_with_org_key(SandboxOrigin::Provisioned, None, false));
    }

    #[test]
    fn a_sandbox_tenantry_runs_is_trusted() {
        assert!(trusted_with_org_key(SandboxOrigin::Provisioned, None, true));
    }

    #[test]
    fn the_members_own_key_goes_first_wherever_it_may() {
        assert_eq!(
            decide_llm_key(facts(false, true, true, true)).ok(),
            Some(LlmKeyChoice::Member)
        );
        assert_eq!(
            decide_llm_key(facts(true, true, true, true)).ok(),
            Some(LlmKeyChoice::Member)
        );
    }

    #[test]
    fn a_trusted_sandbox_gets_the_orgs_key_when_the_member_has_none_or_may_not_use_it() {
        assert_eq!(
            decide_llm_key(facts(true, true, false, true)).ok(),
            Some(LlmKeyChoice::Org)
        );
        assert_eq!(
            decide_llm_key(facts(true, false, true, true)).ok(),
            Some(LlmKeyChoice::Org)
        );
    }

    #[test]
    fn without_any_usable_key_none_is_sent() {
        assert_eq!(
            decide_llm_key(facts(false, true, false, false)).ok(),
            Some(LlmKeyChoice::None)
        );
        assert_eq!(
            decide_llm_key(facts(false, false, true, false)).ok(),
            Some(LlmKeyChoice::None)
        );
    }

    #[test]
    fn an_untrusted_sandbox_is_refused_rather_than_given_the_orgs_key() {
        assert!(withheld(facts(false, true, false, true)));
        assert!(withheld(facts(false, false, true, true)));
    }
}

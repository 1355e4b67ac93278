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

    #[test]
    fn trust_needs_an_admin_then_and_now_and_an_allowed_url() {
        let by = |role| SandboxOrigin::Registered { role: Some(role) };
        assert!(trusted_with_org_key(by(Role::Admin), Some(Role::Owner), true));
        assert!(trusted_with_org_key(by(Role::Owner), Some(Role::Admin), true));
        assert!(!trusted_with_org_key(by(Role::Admin), Some(Role::Admin), false));
        assert!(!trusted_with_org_key(
            by(Role::Developer),
            Some(Role::Admin),
            true
        ));
        assert!(!trusted_with_org_key(
            by(Role::Admin),
            Some(Role::Developer),
            true
        ));
        assert!(!trusted_with_org_key(by(Role::Admin), None, true));
        assert!(!trusted_with_org_key(
            SandboxOrigin::Registered { role: None },
            Some(Role::Owner),
            true
        ));
        assert!(trusted_with_org_key(SandboxOrigin::Provisioned, None, true));
        assert!(!trusted_with_org_key(SandboxOrigin::Provisioned, None, false));
    }

    #[test]
    fn the_org_key_goes_only_to_trusted_sandboxes() {
        use LlmKeyChoice::*;
        let facts = |sandbox_trusted, member_key_allowed, member_key_stored, org_key_stored| LlmKeyFacts {
            sandbox_trusted,
            member_key_allowed,
            member_key_stored,
            org_key_stored,
        };
        let refused = |facts| {
            matches!(
                decide_llm_key(facts),
                Err(DomainError::Refused {
                    code: "org_llm_key_withheld",
                    ..
                })
            )
        };
        // (trusted, allowed, member's, org's) → choice
        assert_eq!(decide_llm_key(facts(false, true, true, true)).ok(), Some(Member));
        assert_eq!(decide_llm_key(facts(true, true, true, true)).ok(), Some(Member));
        assert_eq!(decide_llm_key(facts(true, true, false, true)).ok(), Some(Org));
        assert_eq!(decide_llm_key(facts(true, false, true, true)).ok(), Some(Org));
        assert_eq!(decide_llm_key(facts(false, true, false, false)).ok(), Some(None));
        assert_eq!(decide_llm_key(facts(false, false, true, false)).ok(), Some(None));
        assert!(refused(facts(false, true, false, true)));
        assert!(refused(facts(false, false, true, true)));
    }
}

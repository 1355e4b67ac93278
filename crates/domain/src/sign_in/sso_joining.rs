//! Who joins an org by signing in through the org's own provider. A provider that names email
//! domains adds the accounts of those domains, when the org's own policy allows the domain too, to
//! the org with the provider's default role — as the admin who configured it would add them, so
//! never to a personal org and never as owner (ownership is transferred, never granted by sign-in).
//! A member already stays as they are.

use crate::{
    Email, Role,
    orgs::membership_rules::decide_addition,
    sign_in::org_policy::{EmailDomain, email_in_domains},
};

/// The role whose rights a provider adds members with: the least role that may configure it.
pub const PROVIDER_GRANTOR: Role = Role::Admin;

/// What is known when an account signs in through an org's provider, read with the org locked.
#[derive(Debug, Clone, Copy)]
pub struct SsoJoinFacts<'a> {
    /// The account's email.
    pub email: &'a Email,
    /// The domains the provider signs in (empty: any, and then it adds nobody).
    pub provider_domains: &'a [EmailDomain],
    /// The domains the org's policy lets join (empty: any).
    pub org_domains: &'a [EmailDomain],
    /// The provider's default role for new members.
    pub default_role: Role,
    /// Whether the org is a personal one.
    pub personal: bool,
    /// Whether the account is a member already.
    pub already_member: bool,
}

/// The role the account joins with, or `None` when it does not join.
pub fn decide_sso_join(facts: SsoJoinFacts<'_>) -> Option<Role> {
    let named_domain = !facts.provider_domains.is_empty()
        && email_in_domains(facts.email, facts.provider_domains)
        && email_in_domains(facts.email, facts.org_domains);
    let joins = named_domain
        && !facts.already_member
        && decide_addition(PROVIDER_GRANTOR, facts.default_role, facts.personal).is_ok();
    joins.then_some(facts.default_role)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domains(names: &[&str]) -> Vec<EmailDomain> {
        names
            .iter()
            .map(|name| EmailDomain::parse(name, "domains").expect("domain"))
            .collect()
    }

    fn decide(
        email: &str,
        provider: &[&str],
        org: &[&str],
        role: Role,
        personal: bool,
        member: bool,
    ) -> Option<Role> {
        let email = Email::parse(email).expect("email");
        let (provider, org) = (domains(provider), domains(org));
        decide_sso_join(SsoJoinFacts {
            email: &email,
            provider_domains: &provider,
            org_domains: &org,
            default_role: role,
            personal,
            already_member: member,
        })
    }

    #[test]
    fn an_account_of_a_named_domain_joins_with_the_default_role() {
        let joined = decide(
            "a@corp.example",
            &["corp.example"],
            &[],
            Role::Developer,
            false,
            false,
        );
        assert_eq!(joined, Some(Role::Developer));
    }

    #[test]
    fn a_provider_naming_no_domain_adds_nobody() {
        assert_eq!(
            decide("a@corp.example", &[], &[], Role::Developer, false, false),
            None
        );
    }

    #[test]
    fn the_orgs_policy_must_allow_the_domain_too() {
        let refused = decide(
            "a@corp.example",
            &["corp.example"],
            &["other.example"],
            Role::Viewer,
            false,
            false,
        );
        assert_eq!(refused, None);
    }

    #[test]
    fn sign_in_never_grants_ownership_nor_joins_a_personal_org_or_changes_a_member() {
        assert_eq!(
            decide(
                "a@corp.example",
                &["corp.example"],
                &[],
                Role::Owner,
                false,
                false
            ),
            None
        );
        assert_eq!(
            decide(
                "a@corp.example",
                &["corp.example"],
                &[],
                Role::Viewer,
                true,
                false
            ),
            None
        );
        assert_eq!(
            decide(
                "a@corp.example",
                &["corp.example"],
                &[],
                Role::Viewer,
                false,
                true
            ),
            None
        );
    }
}

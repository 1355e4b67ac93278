//! An org's sign-in policy: whether its routes need members enrolled in MFA, whether password
//! sessions may use it at all, and which email domains may join it.

use crate::{
    Caller, DomainError, Email, OrgId, Role,
    identity::session::{SignInMethod, SsoSource},
};

/// Who may use an org's routes, beyond membership.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccessPolicy {
    /// Members without MFA are refused (`mfa_required`) until they enrol.
    pub require_mfa: bool,
    /// Sessions signed in with a password are refused (`sso_required`).
    pub require_sso: bool,
}

/// An org's sign-in policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgPolicy {
    /// Who may use the org's routes.
    pub access: AccessPolicy,
    /// Domains members' emails must be in (empty: any).
    pub allowed_email_domains: Vec<EmailDomain>,
}

/// A member's role together with the org's access policy, read together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberAccess {
    /// The member's role.
    pub role: Role,
    /// The org's access policy.
    pub policy: AccessPolicy,
}

/// A validated, lower-case email domain (`example.com`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailDomain(String);

impl EmailDomain {
    /// Most domains an org may list.
    pub const MAX_PER_ORG: usize = 50;

    /// Validates `raw` as a DNS name of at least two labels (letters, digits, hyphens).
    pub fn parse(raw: &str, field: &str) -> Result<Self, DomainError> {
        let domain = raw.trim().trim_end_matches('.').to_ascii_lowercase();
        let label_ok = |label: &str| {
            (1..=63).contains(&label.len())
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        let labels: Vec<&str> = domain.split('.').collect();
        if domain.len() > 253 || labels.len() < 2 || !labels.iter().all(|label| label_ok(label)) {
            return Err(DomainError::invalid(
                field,
                format!("{raw:?} is not a domain name such as example.com"),
            ));
        }
        Ok(Self(domain))
    }

    /// Parses a list, dropping duplicates; at most [`Self::MAX_PER_ORG`].
    pub fn parse_list(raw: &[String], field: &str) -> Result<Vec<Self>, DomainError> {
        if raw.len() > Self::MAX_PER_ORG {
            return Err(DomainError::invalid(field, "lists at most 50 domains"));
        }
        let mut domains: Vec<Self> = Vec::with_capacity(raw.len());
        for entry in raw {
            let domain = Self::parse(entry, field)?;
            if !domains.contains(&domain) {
                domains.push(domain);
            }
        }
        Ok(domains)
    }

    /// The domain as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `email`'s domain is one of `domains` (an empty list allows every domain). Subdomains do
/// not count: `eng.example.com` is not `example.com`.
pub fn email_in_domains(email: &Email, domains: &[EmailDomain]) -> bool {
    domains.is_empty()
        || email.as_str().rsplit_once('@').is_some_and(|(_, domain)| {
            domains
                .iter()
                .any(|allowed| allowed.0 == domain.to_ascii_lowercase())
        })
}

impl OrgPolicy {
    /// `Validation` on `field` when `email` is outside the org's allowed domains.
    pub fn check_email(&self, email: &Email, field: &str) -> Result<(), DomainError> {
        if email_in_domains(email, &self.allowed_email_domains) {
            Ok(())
        } else {
            Err(DomainError::invalid(
                field,
                "is outside the email domains this org allows",
            ))
        }
    }
}

/// Whether a session signed in with `method` satisfies `org`'s single sign-on requirement: only a
/// sign-in through the org's own provider or one the operator configured for the install. Another
/// org's provider is run by that org's admins, who could assert anyone.
pub fn sso_session_trusted_by(org: OrgId, method: Option<SignInMethod>) -> bool {
    match method {
        Some(SignInMethod::Sso(SsoSource::Org(provider_org))) => provider_org == org,
        Some(SignInMethod::Sso(SsoSource::Install)) => true,
        _ => false,
    }
}

impl AccessPolicy {
    /// Refuses a caller the policy shuts out of `org`: `mfa_required` for a user without MFA (API
    /// keys included: they act as their user), `sso_required` for a session signed in with a
    /// password or through a provider `org` does not trust ([`sso_session_trusted_by`]). A no-auth
    /// install's local user has no session and is never refused for SSO.
    pub fn admit(&self, org: OrgId, caller: &Caller) -> Result<(), DomainError> {
        if self.require_mfa && caller.user.mfa_enabled_at.is_none() {
            return Err(DomainError::refused(
                "mfa_required",
                "this org requires two-factor sign-in: enrol in MFA first",
            ));
        }
        if self.require_sso
            && caller.signed_in_with.is_some()
            && !sso_session_trusted_by(org, caller.signed_in_with)
        {
            return Err(DomainError::refused(
                "sso_required",
                "this org requires single sign-on: sign in through its identity provider",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::{ApiKeyGrant, User, new_id};

    fn user(mfa: bool) -> User {
        User {
            id: new_id(),
            email: Email::parse("a@example.com").expect("email"),
            name: "A".into(),
            email_verified_at: None,
            current_org_id: None,
            is_superadmin: false,
            token_epoch: 0,
            disabled_at: None,
            mfa_enabled_at: mfa.then(Utc::now),
            created_at: Utc::now(),
        }
    }

    fn session(mfa: bool, method: SignInMethod) -> Caller {
        Caller::person(user(mfa), Some(new_id())).signed_in_with(method)
    }

    fn code(result: Result<(), DomainError>) -> Option<&'static str> {
        match result {
            Ok(()) => None,
            Err(DomainError::Refused { code, .. }) => Some(code),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn access_policy_table() {
        use SignInMethod::Password;
        let org = new_id();
        let own = SignInMethod::Sso(SsoSource::Org(org));
        let install = SignInMethod::Sso(SsoSource::Install);
        let foreign = SignInMethod::Sso(SsoSource::Org(new_id()));
        let unknown = SignInMethod::Sso(SsoSource::Unknown);
        let key = Caller::through_api_key(
            user(false),
            ApiKeyGrant {
                key_id: new_id(),
                org_id: org,
                scopes: vec![],
            },
        );
        let cases: [(bool, bool, Caller, Option<&str>); 12] = [
            (false, false, session(false, Password), None),
            (true, false, session(false, Password), Some("mfa_required")),
            (true, false, session(true, Password), None),
            (true, false, session(false, own), Some("mfa_required")),
            (true, false, key.clone(), Some("mfa_required")),
            (false, true, session(true, Password), Some("sso_required")),
            (false, true, session(false, own), None),
            (false, true, session(false, install), None),
            (false, true, session(false, foreign), Some("sso_required")),
            (false, true, session(false, unknown), Some("sso_required")),
            (false, true, key, None),
            (true, true, session(true, own), None),
        ];
        for (require_mfa, require_sso, caller, expected) in cases {
            let policy = AccessPolicy {
                require_mfa,
                require_sso,
            };
            assert_eq!(
                code(policy.admit(org, &caller)),
                expected,
                "mfa {require_mfa} sso {require_sso} caller {:?}",
                caller.signed_in_with
            );
        }
    }

    #[test]
    fn email_domains_match_exactly_and_an_empty_list_allows_all() {
        let domains =
            EmailDomain::parse_list(&["Example.COM".into(), "example.com".into()], "d").expect("valid");
        assert_eq!(domains.len(), 1);
        let email = |raw: &str| Email::parse(raw).expect("email");
        assert!(email_in_domains(&email("x@example.com"), &domains));
        assert!(!email_in_domains(&email("x@eng.example.com"), &domains));
        assert!(!email_in_domains(&email("x@example.com.evil.io"), &domains));
        assert!(email_in_domains(&email("x@anything.io"), &[]));
    }

    #[test]
    fn domains_are_validated() {
        for bad in ["", "localhost", "-a.com", "a..com", "a b.com", "@example.com"] {
            assert!(EmailDomain::parse(bad, "d").is_err(), "{bad:?}");
        }
        assert_eq!(
            EmailDomain::parse(" Sub.Example.org. ", "d")
                .expect("ok")
                .as_str(),
            "sub.example.org"
        );
    }
}

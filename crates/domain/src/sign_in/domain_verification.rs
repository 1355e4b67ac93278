//! Proving an org controls an email domain: the DNS TXT challenge it publishes, and what a proven
//! domain allows (an org's own single sign-on provider may then sign in existing accounts of that
//! domain).

use chrono::{DateTime, Utc};

use crate::{Email, OrgId, sign_in::org_policy::EmailDomain};

/// Most domains one org may claim.
pub const MAX_DOMAINS_PER_ORG: usize = 50;

/// The DNS label the challenge is published under, in front of the domain.
pub const CHALLENGE_LABEL: &str = "_tenantry-challenge";

/// What the TXT record's value starts with, before the challenge.
pub const CHALLENGE_PREFIX: &str = "tenantry-domain-verification=";

/// An email domain an org claimed, and whether it proved control of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgDomain {
    /// The org.
    pub org_id: OrgId,
    /// The domain.
    pub domain: EmailDomain,
    /// The random value the org must publish (not a secret: it goes into public DNS).
    pub challenge: String,
    /// When it was claimed.
    pub created_at: DateTime<Utc>,
    /// When the challenge was found in DNS; `None` until then.
    pub verified_at: Option<DateTime<Utc>>,
}

impl OrgDomain {
    /// The DNS name the TXT record goes under: `_tenantry-challenge.example.com`.
    pub fn record_name(&self) -> String {
        format!("{CHALLENGE_LABEL}.{}", self.domain.as_str())
    }

    /// The TXT record's value: `tenantry-domain-verification=<challenge>`.
    pub fn record_value(&self) -> String {
        format!("{CHALLENGE_PREFIX}{}", self.challenge)
    }

    /// Whether one of the TXT records found under [`Self::record_name`] carries the challenge.
    /// Resolvers may split a long record into strings; they are joined before comparing.
    pub fn challenge_met(&self, records: &[String]) -> bool {
        let expected = self.record_value();
        records.iter().any(|record| record.trim() == expected)
    }
}

/// Whether `email` belongs to one of the domains an org proved it controls.
pub fn email_in_verified_domains(email: &Email, verified: &[EmailDomain]) -> bool {
    !verified.is_empty() && crate::sign_in::org_policy::email_in_domains(email, verified)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::new_id;

    fn claimed(domain: &str) -> OrgDomain {
        OrgDomain {
            org_id: new_id(),
            domain: EmailDomain::parse(domain, "domain").expect("domain"),
            challenge: "abc123".into(),
            created_at: Utc::now(),
            verified_at: None,
        }
    }

    #[test]
    fn the_challenge_is_met_only_by_its_exact_record() {
        let domain = claimed("Example.com");
        assert_eq!(domain.record_name(), "_tenantry-challenge.example.com");
        assert!(domain.challenge_met(&["v=spf1 -all".into(), "tenantry-domain-verification=abc123".into()]));
        for wrong in [
            vec![],
            vec!["tenantry-domain-verification=abc12".to_owned()],
            vec!["tenantry-domain-verification=abc1234".to_owned()],
            vec!["abc123".to_owned()],
        ] {
            assert!(!domain.challenge_met(&wrong), "{wrong:?}");
        }
    }

    #[test]
    fn only_proven_domains_vouch_for_an_email() {
        let proven = vec![EmailDomain::parse("example.com", "d").expect("domain")];
        let email = |raw: &str| Email::parse(raw).expect("email");
        assert!(email_in_verified_domains(&email("a@example.com"), &proven));
        assert!(!email_in_verified_domains(&email("a@eng.example.com"), &proven));
        assert!(!email_in_verified_domains(&email("a@example.com"), &[]));
    }
}

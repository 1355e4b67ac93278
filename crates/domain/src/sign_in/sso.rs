//! Single sign-on with OpenID Connect: who an identity asserted by a provider becomes, which org it
//! joins, and where a finished sign-in may send the browser.

use chrono::{DateTime, Duration, Utc};

use crate::{
    DomainError, Email, OrgId, Role, SecretString, UserId,
    sign_in::domain_verification::email_in_verified_domains,
    sign_in::org_policy::{EmailDomain, email_in_domains},
};

pub use crate::sign_in::provider_key::ProviderKey;

/// How long a started sign-in may take to come back.
pub const SIGN_IN_TTL: Duration = Duration::minutes(10);

/// How long the code a finished sign-in hands to the browser may wait to be exchanged.
pub const EXCHANGE_TTL: std::time::Duration = std::time::Duration::from_secs(120);

/// Where to reach a provider and how Tenantry is known to it.
#[derive(Debug, Clone)]
pub struct ProviderSettings {
    /// The issuer URL (discovery lives under it).
    pub issuer: String,
    /// Tenantry's client id there.
    pub client_id: String,
    /// Tenantry's client secret there.
    pub client_secret: SecretString,
}

/// A provider with what signing in through it means.
#[derive(Debug, Clone)]
pub struct SsoProvider {
    /// Which provider.
    pub key: ProviderKey,
    /// How to reach it.
    pub settings: ProviderSettings,
    /// Email domains it may sign in (empty: any).
    pub allowed_domains: Vec<EmailDomain>,
    /// For an org's provider: the role a new member gets.
    pub default_role: Role,
}

/// An org's provider as its admins see it: never the client secret.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgSsoView {
    /// The org.
    pub org_id: OrgId,
    /// The issuer URL.
    pub issuer: String,
    /// Tenantry's client id there.
    pub client_id: String,
    /// Email domains it may sign in (empty: any).
    pub allowed_domains: Vec<EmailDomain>,
    /// The role a new member gets.
    pub default_role: Role,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// The request an authorization starts with: the URL to send the browser to and what must come
/// back with it.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    /// The provider's authorization URL with every parameter.
    pub url: String,
    /// The `state` parameter.
    pub state: SecretString,
    /// The `nonce` the ID token must carry.
    pub nonce: SecretString,
    /// The PKCE code verifier.
    pub pkce_verifier: SecretString,
}

/// A sign-in started and not yet come back (single use).
#[derive(Debug, Clone)]
pub struct PendingSignIn {
    /// Digest of the `state` parameter.
    pub state_digest: String,
    /// Which provider.
    pub provider: ProviderKey,
    /// The nonce the ID token must carry.
    pub nonce: SecretString,
    /// The PKCE code verifier.
    pub pkce_verifier: SecretString,
    /// Where to send the browser afterwards (checked when the sign-in started).
    pub redirect: Option<String>,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
}

/// What a provider asserted in a verified ID token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedIdentity {
    /// The issuer.
    pub issuer: String,
    /// The subject, stable at that issuer.
    pub subject: String,
    /// The email, if asserted.
    pub email: Option<String>,
    /// Whether the provider asserts the email verified.
    pub email_verified: bool,
    /// A display name, if asserted.
    pub name: Option<String>,
}

/// Who a verified identity signs in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountMatch {
    /// Linked before.
    Linked(UserId),
    /// An account with the verified email exists: link it.
    LinkExisting(UserId),
    /// No account has the verified email: create one.
    Create(Email),
}

/// Which existing accounts a provider may sign in by their email alone, before any link exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailLinking {
    /// An install provider, configured by the operator: any account whose email it asserts as
    /// verified.
    AnyVerifiedEmail,
    /// An org's provider, configured by the org's admins: only accounts whose email domain the org
    /// proved it controls. Its word alone never hands over someone else's account.
    VerifiedDomains(Vec<EmailDomain>),
}

impl EmailLinking {
    /// How a provider may link existing accounts: install providers by email, an org's own only
    /// within `verified` (the org's proven domains).
    pub fn for_provider(key: &ProviderKey, verified: Vec<EmailDomain>) -> Self {
        match key {
            ProviderKey::Install(_) => Self::AnyVerifiedEmail,
            ProviderKey::Org(_) => Self::VerifiedDomains(verified),
        }
    }

    fn allows(&self, email: &Email) -> bool {
        match self {
            Self::AnyVerifiedEmail => true,
            Self::VerifiedDomains(domains) => email_in_verified_domains(email, domains),
        }
    }
}

/// Decides whom `identity` signs in as: the account linked to it before; else the account whose
/// email the provider asserts as verified, when `linking` lets the provider vouch for that
/// account; else a new account with that email. An email the provider does not assert as verified
/// is never linked nor used for a new account.
pub fn match_account(
    identity: &VerifiedIdentity,
    linked: Option<UserId>,
    linking: &EmailLinking,
    by_email: impl FnOnce(&Email) -> Option<UserId>,
) -> Result<AccountMatch, DomainError> {
    if let Some(user) = linked {
        return Ok(AccountMatch::Linked(user));
    }
    let email = identity
        .email
        .as_deref()
        .and_then(|raw| Email::parse(raw).ok())
        .ok_or_else(|| DomainError::refused("sso_email_missing", "the provider asserted no usable email"))?;
    if !identity.email_verified {
        return Err(DomainError::refused(
            "sso_email_unverified",
            "the provider does not assert this email as verified",
        ));
    }
    Ok(match by_email(&email) {
        Some(_) if !linking.allows(&email) => {
            return Err(DomainError::refused(
                "sso_account_exists",
                "an account with this email already exists and this org has not verified the email's \
                 domain: sign in with the account's password, or ask the org's admins to verify the \
                 domain",
            ));
        }
        Some(user) => AccountMatch::LinkExisting(user),
        None => AccountMatch::Create(email),
    })
}

/// Whether `email` may sign in through `provider` at all.
pub fn domain_allowed(provider: &SsoProvider, email: &Email) -> Result<(), DomainError> {
    if email_in_domains(email, &provider.allowed_domains) {
        Ok(())
    } else {
        Err(DomainError::refused(
            "sso_domain_not_allowed",
            "this provider does not sign in accounts of this email domain",
        ))
    }
}

/// The role a new member joining through an org's provider gets: validated when the provider is
/// configured (never owner).
pub fn parse_default_role(raw: &str) -> Result<Role, DomainError> {
    let role = Role::parse(raw)
        .map_err(|_| DomainError::invalid("default_role", "must be admin, developer or viewer"))?;
    if role == Role::Owner {
        return Err(DomainError::invalid(
            "default_role",
            "cannot be owner: ownership is transferred, never granted by sign-in",
        ));
    }
    Ok(role)
}

/// Validates an issuer URL: `https://…`, or `http://` on a loopback host (a provider on the same
/// machine); no query, fragment or user info; a trailing slash is dropped.
pub fn parse_issuer(raw: &str) -> Result<String, DomainError> {
    let issuer = raw.trim().trim_end_matches('/');
    let invalid = || DomainError::invalid("issuer", "must be an https URL (http only on a loopback host)");
    let (origin, path) = split_origin(issuer).ok_or_else(invalid)?;
    if path.contains(['?', '#']) || issuer.len() > 512 {
        return Err(invalid());
    }
    if let Some(host) = origin.strip_prefix("http://") {
        let host = host.rsplit_once(':').map_or(host, |(host, _)| host);
        if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
            return Err(invalid());
        }
    }
    Ok(issuer.to_owned())
}

/// Whether a redirect target is allowed: a path on this install (`/…`, never `//…`), or a URL under
/// one of `allowed` (same scheme, host and port, and its path under the allowed path).
pub fn redirect_allowed(target: &str, allowed: &[String]) -> bool {
    if target.chars().any(|c| c.is_control() || c == '\\') {
        return false;
    }
    if target.starts_with('/') {
        return !target.starts_with("//");
    }
    let Some((origin, path)) = split_origin(target) else {
        return false;
    };
    allowed.iter().any(|entry| {
        split_origin(entry).is_some_and(|(allowed_origin, allowed_path)| {
            origin.eq_ignore_ascii_case(allowed_origin)
                && (path == allowed_path
                    || (path.starts_with(allowed_path)
                        && (allowed_path.ends_with('/')
                            || path[allowed_path.len()..].starts_with(['/', '?', '#']))))
        })
    })
}

/// `https://host[:port]` and the rest (at least `/`) of an absolute http(s) URL without userinfo.
fn split_origin(url: &str) -> Option<(&str, &str)> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let origin_len = url.len() - rest.len() + authority_end;
    let path = &url[origin_len..];
    Some((&url[..origin_len], if path.is_empty() { "/" } else { path }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::new_id;

    fn identity(email: Option<&str>, verified: bool) -> VerifiedIdentity {
        VerifiedIdentity {
            issuer: "https://id.example.com".into(),
            subject: "sub-1".into(),
            email: email.map(str::to_owned),
            email_verified: verified,
            name: None,
        }
    }

    #[test]
    fn a_linked_identity_wins_and_only_verified_emails_link_or_create() {
        let linked = new_id();
        let existing = new_id();
        let verified = identity(Some("a@example.com"), true);
        let any = EmailLinking::AnyVerifiedEmail;
        assert_eq!(
            match_account(&verified, Some(linked), &any, |_| Some(existing)).expect("ok"),
            AccountMatch::Linked(linked)
        );
        assert_eq!(
            match_account(&verified, None, &any, |_| Some(existing)).expect("ok"),
            AccountMatch::LinkExisting(existing)
        );
        assert!(matches!(
            match_account(&verified, None, &any, |_| None).expect("ok"),
            AccountMatch::Create(email) if email.as_str() == "a@example.com"
        ));
        for refused in [
            identity(Some("a@example.com"), false),
            identity(None, true),
            identity(Some("nope"), true),
        ] {
            assert!(matches!(
                match_account(&refused, None, &any, |_| Some(existing)),
                Err(DomainError::Refused { .. })
            ));
        }
    }

    #[test]
    fn an_org_provider_links_existing_accounts_only_in_its_proven_domains() {
        let existing = new_id();
        let verified = identity(Some("a@example.com"), true);
        let unproven = EmailLinking::for_provider(&ProviderKey::Org(new_id()), vec![]);
        assert!(matches!(
            match_account(&verified, None, &unproven, |_| Some(existing)),
            Err(DomainError::Refused {
                code: "sso_account_exists",
                ..
            })
        ));
        // Linked identities and new accounts need no proof.
        assert_eq!(
            match_account(&verified, Some(existing), &unproven, |_| None).expect("ok"),
            AccountMatch::Linked(existing)
        );
        assert!(matches!(
            match_account(&verified, None, &unproven, |_| None).expect("ok"),
            AccountMatch::Create(_)
        ));
        let proven = EmailLinking::for_provider(
            &ProviderKey::Org(new_id()),
            vec![EmailDomain::parse("example.com", "d").expect("domain")],
        );
        assert_eq!(
            match_account(&verified, None, &proven, |_| Some(existing)).expect("ok"),
            AccountMatch::LinkExisting(existing)
        );
        let install = EmailLinking::for_provider(&ProviderKey::Install("corp".into()), vec![]);
        assert_eq!(
            match_account(&verified, None, &install, |_| Some(existing)).expect("ok"),
            AccountMatch::LinkExisting(existing)
        );
    }

    #[test]
    fn redirects_stay_on_the_install_or_under_an_allowed_url() {
        let allowed = vec![
            "https://app.example.com/".to_owned(),
            "http://localhost:3000/console".to_owned(),
        ];
        let cases = [
            ("/conversations", true),
            ("//evil.example/x", false),
            ("/\\evil.example", false),
            ("https://app.example.com/", true),
            ("https://app.example.com/after?x=1", true),
            ("https://APP.example.com/after", true),
            ("https://app.example.com.evil.io/", false),
            ("https://app.example.com@evil.io/", false),
            ("http://app.example.com/", false),
            ("https://app.example.com:8443/", false),
            ("http://localhost:3000/console", true),
            ("http://localhost:3000/console/orgs", true),
            ("http://localhost:3000/consoleevil", false),
            ("http://localhost:3000/", false),
            ("javascript:alert(1)", false),
            ("", false),
        ];
        for (target, expected) in cases {
            assert_eq!(redirect_allowed(target, &allowed), expected, "{target}");
        }
    }

    #[test]
    fn provider_keys_are_org_ids_or_names() {
        let org = new_id();
        assert_eq!(
            ProviderKey::parse(&org.to_string()).expect("org"),
            ProviderKey::Org(org)
        );
        assert_eq!(
            ProviderKey::parse("corp-idp").expect("name"),
            ProviderKey::Install("corp-idp".into())
        );
        assert!(ProviderKey::parse("../x").is_err());
    }

    #[test]
    fn issuers_are_https_or_loopback_http() {
        assert_eq!(
            parse_issuer("https://id.example.com/realms/x/").expect("ok"),
            "https://id.example.com/realms/x"
        );
        assert_eq!(
            parse_issuer("http://127.0.0.1:9000").expect("ok"),
            "http://127.0.0.1:9000"
        );
        for bad in [
            "http://id.example.com",
            "ftp://x.y",
            "https://a@b.c",
            "https://x.y/?q",
            "x",
        ] {
            assert!(parse_issuer(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn owner_is_never_a_default_role() {
        assert!(parse_default_role("owner").is_err());
        assert_eq!(parse_default_role("developer").expect("ok"), Role::Developer);
    }
}

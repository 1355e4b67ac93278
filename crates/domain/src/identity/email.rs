//! Email addresses, normalised once at the edge.

use crate::error::DomainError;

/// A syntactically plausible email address, trimmed and lowercased.
///
/// Lowercasing the whole address (not only the domain) is deliberate: users expect
/// `Alice@Example.com` and `alice@example.com` to be one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Longest address accepted (RFC 5321 path limit).
    pub const MAX_LEN: usize = 254;

    /// Normalises and validates `raw`.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let email = raw.trim().to_lowercase();
        let invalid = |why: &str| DomainError::invalid("email", why);
        if email.is_empty() {
            return Err(invalid("must not be empty"));
        }
        if email.len() > Self::MAX_LEN {
            return Err(invalid("is too long"));
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err(invalid("must contain @"));
        };
        if local.is_empty()
            || domain.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || email.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(invalid("is not a valid email address"));
        }
        Ok(Self(email))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The conflict code of an email that belongs to another account.
pub const EMAIL_TAKEN: &str = "email_taken";

/// `Conflict { code: "email_taken" }`: the email belongs to another account (an adapter finds it
/// taken by its unique index, so two registrations racing for one email cannot both win).
pub fn email_taken() -> crate::DomainError {
    crate::DomainError::conflict(EMAIL_TAKEN, "An account with this email already exists.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_lowercases() {
        let email = Email::parse("  Alice@Example.COM ").expect("valid");
        assert_eq!(email.as_str(), "alice@example.com");
    }

    #[test]
    fn rejects_malformed_addresses() {
        for raw in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@.com",
        ] {
            assert!(Email::parse(raw).is_err(), "{raw:?} should be rejected");
        }
    }

    #[test]
    fn rejects_overlong_addresses() {
        let raw = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&raw).is_err());
    }
}

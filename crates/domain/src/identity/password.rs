//! The password rules: length, not the email, not a common password. Verified exactly as typed.

use crate::{DomainError, Email, SecretString};

/// Common passwords long enough to pass the length rule (from the zxcvbn frequency lists, lowercased).
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// A password a user chose that satisfies the rules.
#[derive(Debug, Clone)]
pub struct NewPassword(SecretString);

impl NewPassword {
    /// Fewest characters accepted.
    pub const MIN_CHARS: usize = 12;
    /// Most characters accepted.
    pub const MAX_CHARS: usize = 128;

    /// Checks `raw` for the account `email`, reporting errors on `field`.
    ///
    /// Any Unicode is accepted and nothing is trimmed or normalised: the password is what was typed.
    pub fn parse(raw: &SecretString, email: &Email, field: &str) -> Result<Self, DomainError> {
        let password = raw.expose();
        let chars = password.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(DomainError::invalid(field, "must be at least 12 characters"));
        }
        if chars > Self::MAX_CHARS {
            return Err(DomainError::invalid(field, "must be at most 128 characters"));
        }
        let lowered = password.to_lowercase();
        if lowered == email.as_str() || lowered.trim() == email.as_str() {
            return Err(DomainError::invalid(field, "must not be your email address"));
        }
        if is_common(&lowered) {
            return Err(DomainError::invalid(field, "is too common; choose another"));
        }
        Ok(Self(raw.clone()))
    }

    /// The password, to hash it.
    pub fn secret(&self) -> &SecretString {
        &self.0
    }
}

fn is_common(lowered: &str) -> bool {
    COMMON_PASSWORDS.lines().any(|common| common == lowered)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> Email {
        Email::parse("alice@example.com").expect("valid")
    }

    fn parse(raw: &str) -> Result<NewPassword, DomainError> {
        NewPassword::parse(&SecretString::new(raw), &email(), "password")
    }

    #[test]
    fn enforces_length_in_characters_not_bytes() {
        assert!(parse("short").is_err());
        assert!(
            parse(&"é".repeat(12)).is_ok(),
            "12 two-byte characters are enough"
        );
        assert!(parse(&"x".repeat(128)).is_ok());
        assert!(parse(&"x".repeat(129)).is_err());
    }

    #[test]
    fn rejects_the_email_and_common_passwords() {
        assert!(parse("Alice@Example.com").is_err());
        assert!(parse("qwerty123456").is_err());
        assert!(parse("QWERTY123456").is_err());
        assert!(parse("correct horse battery staple").is_ok());
    }

    #[test]
    fn keeps_the_password_exactly_as_typed() {
        let password = parse("  spaced out passphrase  ").expect("valid");
        assert_eq!(password.secret().expose(), "  spaced out passphrase  ");
    }
}

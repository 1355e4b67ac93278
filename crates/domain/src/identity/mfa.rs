//! Two-factor sign-in with TOTP (RFC 6238: SHA-1, 6 digits, 30 s steps, one step of skew either
//! way): the rules that make a code count once, and the recovery codes.

use chrono::{DateTime, Duration, Utc};

use crate::secrets::stored_secret::Sealed;

/// Recovery codes issued when MFA is turned on.
pub const RECOVERY_CODES: usize = 10;
/// How long the token a password sign-in hands out for the second step lasts.
pub const MFA_TOKEN_TTL: Duration = Duration::minutes(5);
/// Seconds per TOTP step.
pub const STEP_SECS: u64 = 30;
/// Digits per code.
pub const DIGITS: usize = 6;
/// Steps accepted either side of now.
pub const SKEW_STEPS: u8 = 1;
/// What authenticator apps show as the issuer.
pub const ISSUER: &str = "Tenantry";

/// A user's TOTP enrolment as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct MfaEnrollment {
    /// The TOTP secret (base32), sealed under the key ring.
    pub sealed_secret: Sealed,
    /// When the user proved the authenticator works; `None`: set up, not on yet.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The newest step a code was accepted for.
    pub last_step: Option<i64>,
}

/// A code counts only for a step newer than the last one accepted: a code seen once (or an older
/// one from the same window) is a replay.
pub fn step_is_fresh(last_step: Option<i64>, step: i64) -> bool {
    last_step.is_none_or(|last| step > last)
}

/// What the sealed secret is bound to, so a row cannot be moved to another user.
pub fn secret_associated_data(user: crate::UserId) -> Vec<u8> {
    format!("mfa:totp:{user}").into_bytes()
}

/// A recovery code as typed: case, spaces and dashes do not matter.
pub fn normalize_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A recovery code as shown: groups of five.
pub fn format_recovery_code(raw: &str) -> String {
    let normalized = normalize_recovery_code(raw);
    normalized
        .as_bytes()
        .chunks(5)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// `Conflict { code: "mfa_enabled" }`: MFA is on, so it cannot be set up again.
pub fn mfa_already_on() -> crate::DomainError {
    crate::DomainError::conflict("mfa_enabled", "MFA is already on")
}

/// `Conflict { code: "mfa_enabled" }`: a confirmation found no pending set-up (MFA is on already,
/// or was never set up).
pub fn mfa_not_pending() -> crate::DomainError {
    crate::DomainError::conflict("mfa_enabled", "MFA is already on, or was not set up")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_counts_once_and_older_steps_never() {
        assert!(step_is_fresh(None, 100));
        assert!(step_is_fresh(Some(99), 100));
        assert!(!step_is_fresh(Some(100), 100));
        assert!(!step_is_fresh(Some(101), 100));
    }

    #[test]
    fn recovery_codes_are_compared_without_formatting() {
        let shown = format_recovery_code("abcdefghij");
        assert_eq!(shown, "abcde-fghij");
        assert_eq!(normalize_recovery_code(" ABCDE-fghij "), "abcdefghij");
    }
}

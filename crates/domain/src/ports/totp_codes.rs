use chrono::{DateTime, Utc};

use crate::{DomainError, SecretString};

/// What an authenticator app needs to be set up.
#[derive(Debug, Clone)]
pub struct TotpProvisioning {
    /// The secret, base32.
    pub secret: SecretString,
    /// `otpauth://totp/…` with the secret, issuer and account.
    pub otpauth_uri: SecretString,
    /// The URI as a QR code, `data:image/svg+xml;base64,…`.
    pub qr_svg_data_url: String,
}

/// TOTP codes (RFC 6238) under the parameters of [`crate::identity::mfa`].
pub trait TotpCodes: Send + Sync {
    /// A new random secret (160 bits, base32).
    fn new_secret(&self) -> SecretString;

    /// The provisioning details of `secret` for `account`.
    fn provisioning(&self, secret: &SecretString, account: &str) -> Result<TotpProvisioning, DomainError>;

    /// The step (time / 30 s) within the allowed skew whose code `code` is, if any.
    fn matching_step(&self, secret: &SecretString, code: &str, at: DateTime<Utc>) -> Option<i64>;
}

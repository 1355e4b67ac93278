use crate::SecretString;

/// Makes opaque high-entropy tokens (refresh, reset, verification, invitation) and their digests.
pub trait SecretTokens: Send + Sync {
    /// A new random token (at least 256 bits), URL-safe.
    fn generate(&self) -> SecretString;

    /// The digest stored in place of the token.
    fn digest(&self, token: &str) -> String;
}

use crate::{DomainError, SecretString, secrets::stored_secret::Sealed};

/// Authenticated encryption under a key ring: new values use the current key, old values open with
/// the key that sealed them.
pub trait SecretCipher: Send + Sync {
    /// Encrypts `plaintext`, bound to `associated_data`.
    fn seal(&self, plaintext: &[u8], associated_data: &[u8]) -> Result<Sealed, DomainError>;

    /// Decrypts; fails when the data was altered or bound to other associated data.
    fn open(&self, sealed: &Sealed, associated_data: &[u8]) -> Result<SecretString, DomainError>;

    /// The id of the key new values are sealed with.
    fn current_key_id(&self) -> String;
}

//! The agent server encrypts secrets in its persistence directory with Fernet under
//! `OH_SECRET_KEY`, hashed with SHA-256 into the Fernet key.

use base64::{Engine, engine::general_purpose::URL_SAFE};
use sha2::{Digest, Sha256};

/// Decrypts the agent server's encrypted fields.
pub struct AgentServerCipher(fernet::Fernet);

/// Fernet tokens start with version byte 0x80, which base64 writes as `gAAAAA`.
pub fn looks_encrypted(value: &str) -> bool {
    value.starts_with("gAAAAA")
}

impl AgentServerCipher {
    /// The cipher for the agent server's `OH_SECRET_KEY`.
    pub fn new(secret_key: &str) -> Self {
        let key = URL_SAFE.encode(Sha256::digest(secret_key.as_bytes()));
        Self(fernet::Fernet::new(&key).expect("a 32-byte key in base64 is a valid Fernet key"))
    }

    /// The plaintext of `token`, if this key made it.
    pub fn decrypt(&self, token: &str) -> Option<String> {
        let bytes = self.0.decrypt(token).ok()?;
        String::from_utf8(bytes).ok()
    }
}

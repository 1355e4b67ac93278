//! Opaque tokens: 256 random bits, URL-safe; stored only as SHA-256 digests.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};
use tenantry_domain::{SecretString, ports::SecretTokens};

/// [`SecretTokens`] from the operating system's CSPRNG.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomSecretTokens;

impl SecretTokens for RandomSecretTokens {
    fn generate(&self) -> SecretString {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        SecretString::new(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A high-entropy token needs no slow hash: SHA-256 is enough to make a stolen table useless.
    fn digest(&self, token: &str) -> String {
        let digest = Sha256::digest(token.as_bytes());
        digest.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_distinct() {
        let tokens = RandomSecretTokens;
        let a = tokens.generate();
        let b = tokens.generate();
        assert_eq!(a.expose().len(), 43);
        assert_ne!(a, b);
    }

    #[test]
    fn digests_are_stable_hex_sha256() {
        let digest = RandomSecretTokens.digest("abc");
        assert_eq!(
            digest,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

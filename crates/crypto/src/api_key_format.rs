//! API keys: `tnt_<12 id chars>_<32 secret chars><6 checksum chars>`, base62.
//!
//! The secret part carries about 190 bits of randomness; the CRC32 checksum lets scanners recognise
//! a real key without a database; the whole key is stored only as its SHA-256.

use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tenantry_domain::{SecretString, api_key::API_KEY_PREFIX, ports::ApiKeyFormat};

const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ID_LEN: usize = 12;
const SECRET_LEN: usize = 32;
const CHECKSUM_LEN: usize = 6;

/// The `tnt_` key format.
#[derive(Debug, Clone, Copy, Default)]
pub struct TntApiKeys;

fn random_base62(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

fn checksum(body: &str) -> String {
    let mut value = u64::from(crc32fast::hash(body.as_bytes()));
    let mut digits = [b'0'; CHECKSUM_LEN];
    for digit in digits.iter_mut().rev() {
        *digit = ALPHABET[(value % 62) as usize];
        value /= 62;
    }
    String::from_utf8_lossy(&digits).into_owned()
}

fn is_base62(text: &str) -> bool {
    text.bytes().all(|byte| byte.is_ascii_alphanumeric())
}

impl ApiKeyFormat for TntApiKeys {
    fn mint(&self) -> (String, SecretString) {
        let prefix = format!("{API_KEY_PREFIX}{}", random_base62(ID_LEN));
        let body = format!("{prefix}_{}", random_base62(SECRET_LEN));
        let key = format!("{body}{}", checksum(&body));
        (prefix, SecretString::new(key))
    }

    fn prefix_of(&self, key: &str) -> Option<String> {
        let rest = key.strip_prefix(API_KEY_PREFIX)?;
        let (id, tail) = rest.split_once('_')?;
        if id.len() != ID_LEN || tail.len() != SECRET_LEN + CHECKSUM_LEN || !is_base62(id) || !is_base62(tail)
        {
            return None;
        }
        let (body, sum) = key.split_at(key.len() - CHECKSUM_LEN);
        (checksum(body) == sum).then(|| format!("{API_KEY_PREFIX}{id}"))
    }

    fn hash(&self, key: &str) -> String {
        Sha256::digest(key.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }

    fn matches(&self, key: &str, stored_hash: &str) -> bool {
        self.hash(key).as_bytes().ct_eq(stored_hash.as_bytes()).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_keys_are_recognised_by_their_checksum() {
        let (prefix, key) = TntApiKeys.mint();
        let key = key.expose();
        assert!(key.starts_with(&format!("{prefix}_")));
        assert_eq!(key.len(), 4 + ID_LEN + 1 + SECRET_LEN + CHECKSUM_LEN);
        assert_eq!(TntApiKeys.prefix_of(key), Some(prefix));
        let mut typo = key.to_owned().into_bytes();
        typo[20] = if typo[20] == b'a' { b'b' } else { b'a' };
        assert_eq!(
            TntApiKeys.prefix_of(&String::from_utf8(typo).expect("ascii")),
            None
        );
        assert_eq!(TntApiKeys.prefix_of("tnt_short"), None);
        assert_eq!(TntApiKeys.prefix_of("eyJhbGciOi.x.y"), None);
    }

    #[test]
    fn hashes_are_sha256_hex() {
        assert_eq!(TntApiKeys.hash("abc").len(), 64);
        assert_ne!(TntApiKeys.hash("a"), TntApiKeys.hash("b"));
    }

    #[test]
    fn a_key_matches_only_its_own_stored_hash() {
        let (_, key) = TntApiKeys.mint();
        let (_, other) = TntApiKeys.mint();
        let stored = TntApiKeys.hash(key.expose());
        assert!(TntApiKeys.matches(key.expose(), &stored));
        assert!(!TntApiKeys.matches(other.expose(), &stored));
        assert!(!TntApiKeys.matches(key.expose(), &stored[..stored.len() - 1]));
    }
}

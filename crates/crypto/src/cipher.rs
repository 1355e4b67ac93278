//! AES-256-GCM under a key ring: each value records the id of the key that sealed it and a random
//! 96-bit nonce; associated data binds it to its row.

use std::{collections::BTreeMap, fs, path::Path};

use aes_gcm::{
    Aes256Gcm, Key, KeyInit, Nonce,
    aead::{Aead, Generate, Payload},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde::{Deserialize, Serialize};
use tenantry_domain::{DomainError, SecretString, ports::SecretCipher, secrets::Sealed};

/// Keys by id, and the id new values are sealed with.
#[derive(Clone)]
pub struct KeyRing {
    keys: BTreeMap<String, Aes256Gcm>,
    current: String,
}

/// The key ring as kept in a file (base64 keys).
#[derive(Debug, Default, Serialize, Deserialize)]
struct KeyRingFile {
    current: String,
    keys: BTreeMap<String, String>,
}

fn decode_key(id: &str, encoded: &str) -> Result<Aes256Gcm, String> {
    let bytes = STANDARD
        .decode(encoded.trim())
        .map_err(|error| format!("key {id:?} is not base64: {error}"))?;
    let key =
        Key::<Aes256Gcm>::try_from(bytes.as_slice()).map_err(|_| format!("key {id:?} must be 32 bytes"))?;
    Ok(Aes256Gcm::new(&key))
}

fn new_key() -> String {
    STANDARD.encode(Key::<Aes256Gcm>::generate().as_slice())
}

fn new_key_id(existing: &BTreeMap<String, String>) -> String {
    let base = format!("k{}", chrono::Utc::now().format("%Y%m%d%H%M%S"));
    let mut id = base.clone();
    let mut n = 1;
    while existing.contains_key(&id) {
        n += 1;
        id = format!("{base}-{n}");
    }
    id
}

impl KeyRing {
    /// A ring from `id:base64key` entries (comma-separated) and the id of the current key.
    pub fn from_config(keys: &str, current: &str) -> Result<Self, String> {
        let mut ring = BTreeMap::new();
        for entry in keys.split(',').map(str::trim).filter(|entry| !entry.is_empty()) {
            let (id, key) = entry
                .split_once(':')
                .ok_or("each key must be written id:base64key")?;
            ring.insert(id.trim().to_owned(), decode_key(id, key)?);
        }
        Self::checked(ring, current.trim().to_owned())
    }

    fn checked(keys: BTreeMap<String, Aes256Gcm>, current: String) -> Result<Self, String> {
        if !keys.contains_key(&current) {
            return Err(format!("the current key {current:?} is not in the key ring"));
        }
        Ok(Self { keys, current })
    }

    /// The ring kept in `path`, created with one fresh key when missing. Returns it and whether it
    /// was just created.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), String> {
        let created = if path.exists() {
            false
        } else {
            let mut file = KeyRingFile::default();
            let id = new_key_id(&file.keys);
            file.keys.insert(id.clone(), new_key());
            file.current = id;
            write_file(path, &file)?;
            true
        };
        Ok((Self::load(path)?, created))
    }

    fn load(path: &Path) -> Result<Self, String> {
        let file = read_file(path)?;
        let mut keys = BTreeMap::new();
        for (id, key) in &file.keys {
            keys.insert(id.clone(), decode_key(id, key)?);
        }
        Self::checked(keys, file.current)
    }

    /// Adds a fresh key to the ring in `path` and makes it current; returns its id and the key
    /// (base64), for operators who keep keys in configuration.
    pub fn rotate_file(path: &Path) -> Result<(String, String), String> {
        let mut file = read_file(path)?;
        let id = new_key_id(&file.keys);
        let key = new_key();
        file.keys.insert(id.clone(), key.clone());
        file.current = id.clone();
        write_file(path, &file)?;
        Ok((id, key))
    }

    /// A fresh `id:base64key` entry for configuration.
    pub fn new_config_entry() -> (String, String) {
        let id = new_key_id(&BTreeMap::new());
        (id, new_key())
    }
}

fn read_file(path: &Path) -> Result<KeyRingFile, String> {
    let text =
        fs::read_to_string(path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    serde_json::from_str(&text).map_err(|error| format!("{} is not a key ring: {error}", path.display()))
}

fn write_file(path: &Path, file: &KeyRingFile) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|error| error.to_string())?;
    }
    let partial = path.with_extension("partial");
    let text = serde_json::to_string_pretty(file).map_err(|error| error.to_string())?;
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut handle = options.open(&partial).map_err(|error| error.to_string())?;
    std::io::Write::write_all(&mut handle, text.as_bytes()).map_err(|error| error.to_string())?;
    handle.sync_all().map_err(|error| error.to_string())?;
    fs::rename(&partial, path).map_err(|error| error.to_string())
}

impl SecretCipher for KeyRing {
    fn seal(&self, plaintext: &[u8], associated_data: &[u8]) -> Result<Sealed, DomainError> {
        let cipher = self
            .keys
            .get(&self.current)
            .ok_or_else(|| DomainError::Internal("current key missing".into()))?;
        let nonce = Nonce::generate();
        let ciphertext = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: associated_data,
                },
            )
            .map_err(|_| DomainError::Internal("encryption failed".into()))?;
        Ok(Sealed {
            key_id: self.current.clone(),
            nonce: nonce.to_vec(),
            ciphertext,
        })
    }

    fn open(&self, sealed: &Sealed, associated_data: &[u8]) -> Result<SecretString, DomainError> {
        let cipher = self.keys.get(&sealed.key_id).ok_or_else(|| {
            DomainError::Internal(format!(
                "no key {:?} in the key ring to decrypt with",
                sealed.key_id
            ))
        })?;
        let nonce = Nonce::try_from(sealed.nonce.as_slice())
            .map_err(|_| DomainError::Internal("stored nonce has the wrong length".into()))?;
        let plaintext = cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: &sealed.ciphertext,
                    aad: associated_data,
                },
            )
            .map_err(|_| DomainError::Internal("a stored secret failed authentication".into()))?;
        String::from_utf8(plaintext)
            .map(SecretString::new)
            .map_err(|_| DomainError::Internal("a stored secret is not UTF-8".into()))
    }

    fn current_key_id(&self) -> String {
        self.current.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> KeyRing {
        let (id, key) = KeyRing::new_config_entry();
        KeyRing::from_config(&format!("{id}:{key}"), &id).expect("ring")
    }

    #[test]
    fn seals_and_opens_with_the_same_associated_data_only() {
        let ring = ring();
        let sealed = ring.seal(b"sk-secret", b"row-a").expect("seal");
        assert_eq!(sealed.nonce.len(), 12);
        assert!(!sealed.ciphertext.windows(9).any(|w| w == b"sk-secret"));
        assert_eq!(ring.open(&sealed, b"row-a").expect("open").expose(), "sk-secret");
        assert!(ring.open(&sealed, b"row-b").is_err(), "bound to its row");
        let mut tampered = sealed.clone();
        tampered.ciphertext[0] ^= 1;
        assert!(ring.open(&tampered, b"row-a").is_err());
    }

    #[test]
    fn nonces_are_fresh_every_time() {
        let ring = ring();
        let a = ring.seal(b"x", b"").expect("seal");
        let b = ring.seal(b"x", b"").expect("seal");
        assert_ne!(a.nonce, b.nonce);
        assert_ne!(a.ciphertext, b.ciphertext);
    }

    #[test]
    fn rotation_keeps_old_keys_for_opening() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("keys/secrets.json");
        let (old, created) = KeyRing::load_or_create(&path).expect("create");
        assert!(created);
        let sealed = old.seal(b"value", b"aad").expect("seal");
        std::thread::sleep(std::time::Duration::from_millis(10));
        let (new_id, _) = KeyRing::rotate_file(&path).expect("rotate");
        let (rotated, created) = KeyRing::load_or_create(&path).expect("load");
        assert!(!created);
        assert_eq!(rotated.current_key_id(), new_id);
        assert_ne!(rotated.current_key_id(), sealed.key_id);
        assert_eq!(
            rotated.open(&sealed, b"aad").expect("old value opens").expose(),
            "value"
        );
    }

    #[test]
    fn configuration_errors_are_reported() {
        assert!(KeyRing::from_config("a:not-base64!", "a").is_err());
        assert!(KeyRing::from_config(&format!("a:{}", STANDARD.encode([0u8; 16])), "a").is_err());
        let (id, key) = KeyRing::new_config_entry();
        assert!(KeyRing::from_config(&format!("{id}:{key}"), "other").is_err());
    }
}

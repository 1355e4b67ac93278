//! Keys kept in files of the data directory when the operator has not configured them.

use std::{fs, io::Write, path::Path};

use base64::{Engine, engine::general_purpose::STANDARD};
use rand::RngCore;

/// Reads the base64 key in `path`, or creates one of `len` random bytes (readable by the owner only).
/// Returns the key and whether it was just created.
pub fn load_or_create_key(path: &Path, len: usize) -> std::io::Result<(Vec<u8>, bool)> {
    match fs::read_to_string(path) {
        Ok(text) => STANDARD
            .decode(text.trim())
            .map(|key| (key, false))
            .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidData, error)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let mut key = vec![0u8; len];
            rand::rng().fill_bytes(&mut key);
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)?;
            }
            let mut options = fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(path) {
                Ok(mut file) => {
                    file.write_all(STANDARD.encode(&key).as_bytes())?;
                    file.sync_all()?;
                    Ok((key, true))
                }
                // Another process created it first: use theirs.
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                    load_or_create_key(path, len)
                }
                Err(error) => Err(error),
            }
        }
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_once_then_reads_the_same_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("keys/jwt.key");
        let (first, created) = load_or_create_key(&path, 64).expect("create");
        assert!(created);
        assert_eq!(first.len(), 64);
        let (second, created) = load_or_create_key(&path, 64).expect("read");
        assert!(!created);
        assert_eq!(first, second);
    }
}

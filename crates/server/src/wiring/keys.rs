use std::path::PathBuf;

use anyhow::Context;
use tenantry_crypto::{KeyRing, load_or_create_key};
use tenantry_domain::SecretString;

use crate::config::{Config, absolute};

/// The key ring path used when keys are not configured.
pub fn key_ring_path(config: &Config) -> PathBuf {
    absolute(&config.data_dir).join("keys/secrets.json")
}

/// The secrets key ring: from configuration, or the key ring file (created with a warning).
pub fn key_ring(config: &Config) -> anyhow::Result<KeyRing> {
    let secrets = &config.secrets;
    if secrets.configured() {
        let keys = secrets
            .keys
            .as_ref()
            .map(SecretString::expose)
            .unwrap_or_default();
        let current = secrets
            .current_key
            .as_deref()
            .context("secrets.current_key must name one of secrets.keys")?;
        return KeyRing::from_config(keys, current).map_err(anyhow::Error::msg);
    }
    let path = key_ring_path(config);
    let (ring, created) = KeyRing::load_or_create(&path).map_err(anyhow::Error::msg)?;
    if created {
        tracing::warn!(
            file = %path.display(),
            "generated a secrets encryption key; set TENANTRY_SECRETS_KEYS and TENANTRY_SECRETS_CURRENT_KEY for production and for several instances"
        );
    }
    Ok(ring)
}

pub(super) fn jwt_secret(config: &Config) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = config
        .auth
        .jwt_secret
        .as_ref()
        .map(SecretString::expose)
        .filter(|secret| !secret.is_empty())
    {
        anyhow::ensure!(secret.len() >= 32, "auth.jwt_secret must be at least 32 bytes");
        return Ok(secret.as_bytes().to_vec());
    }
    let path = absolute(&config.data_dir).join("keys/jwt.key");
    let (key, created) =
        load_or_create_key(&path, 64).with_context(|| format!("cannot read or create {}", path.display()))?;
    if created {
        tracing::warn!(
            file = %path.display(),
            "generated a JWT signing key; set TENANTRY_AUTH_JWT_SECRET for production and for several instances"
        );
    }
    Ok(key)
}

//! Configurations the server refuses to start with, and the ones it starts with under a warning.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

use anyhow::bail;
use base64::{Engine, engine::general_purpose::STANDARD};

use crate::config::{AuthModeConfig, Config};

/// Every JWT secret ever published in this repository (examples, compose defaults, test fixtures).
/// Anyone can mint access tokens with these.
const PUBLISHED_JWT_SECRETS: &[&str] = &[
    "change-me-to-a-long-random-secret-of-32-bytes-or-more",
    "test-secret-test-secret-test-secret-0123456789",
];

/// Every secrets encryption key (base64) ever published in this repository.
const PUBLISHED_SECRETS_KEYS: &[&str] = &["REiOAmwU2Iw+sl2Ie+v6tNkXxBqN0nlfEg95vZFaKJA=", "BASE64KEY"];

/// Below this estimate a configured secret is reported as weak.
const WEAK_SECRET_BITS: f64 = 128.0;

/// Fails on a configuration that must not serve: a published secret, or no-auth mode reachable from
/// other machines without the operator saying so. Warns on low-entropy secrets.
pub fn check(config: &Config) -> anyhow::Result<()> {
    check_jwt_secret(config)?;
    check_secrets_keys(config)?;
    check_no_auth_exposure(config)
}

fn check_jwt_secret(config: &Config) -> anyhow::Result<()> {
    let Some(secret) = config
        .auth
        .jwt_secret
        .as_ref()
        .map(tenantry_domain::SecretString::expose)
        .filter(|secret| !secret.is_empty())
    else {
        return Ok(());
    };
    if PUBLISHED_JWT_SECRETS.contains(&secret.trim()) {
        bail!(
            "auth.jwt_secret (TENANTRY_AUTH_JWT_SECRET) is a value published in Tenantry's repository: \
             anyone could sign access tokens for any user. Set a random value of at least 32 bytes, \
             e.g. `openssl rand -base64 48`."
        );
    }
    let bits = estimated_entropy_bits(secret.as_bytes());
    if bits < WEAK_SECRET_BITS {
        tracing::warn!(
            estimated_bits = bits.round() as u64,
            "auth.jwt_secret looks guessable (low entropy); use a random value such as `openssl rand -base64 48`"
        );
    }
    Ok(())
}

fn check_secrets_keys(config: &Config) -> anyhow::Result<()> {
    let Some(keys) = config
        .secrets
        .keys
        .as_ref()
        .map(tenantry_domain::SecretString::expose)
    else {
        return Ok(());
    };
    for entry in keys.split(',').map(str::trim).filter(|entry| !entry.is_empty()) {
        let (id, key) = entry.split_once(':').unwrap_or(("", entry));
        let key = key.trim();
        if PUBLISHED_SECRETS_KEYS.contains(&key) {
            bail!(
                "secrets.keys (TENANTRY_SECRETS_KEYS) entry {:?} is a key published in Tenantry's \
                 repository: anyone with a database dump could decrypt every secret. Generate one with \
                 `openssl rand -base64 32` (or `tenantry keys rotate`).",
                id.trim()
            );
        }
        if let Ok(bytes) = STANDARD.decode(key)
            && estimated_entropy_bits(&bytes) < WEAK_SECRET_BITS
        {
            tracing::warn!(
                key_id = id.trim(),
                "a secrets key looks guessable (low entropy); generate keys randomly"
            );
        }
    }
    Ok(())
}

fn check_no_auth_exposure(config: &Config) -> anyhow::Result<()> {
    if config.auth.mode != AuthModeConfig::None || config.auth.allow_public_no_auth {
        return Ok(());
    }
    if !binds_loopback_only(&config.bind) {
        bail!(
            "auth.mode = none serves every request as the local user, and bind = {:?} is reachable from \
             other machines. Bind to 127.0.0.1 (or [::1]), or set auth.allow_public_no_auth = true \
             (TENANTRY_AUTH_ALLOW_PUBLIC_NO_AUTH) if something in front of Tenantry authenticates callers.",
            config.bind
        );
    }
    Ok(())
}

/// Whether every address `bind` resolves to is a loopback address.
fn binds_loopback_only(bind: &str) -> bool {
    let addresses: Vec<SocketAddr> = match bind.to_socket_addrs() {
        Ok(addresses) => addresses.collect(),
        Err(_) => return false,
    };
    !addresses.is_empty() && addresses.iter().all(|address| is_loopback(address.ip()))
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    }
}

/// A rough upper bound on a value's entropy: its length times the Shannon entropy of its symbols.
/// Repetitive or short values score low; random ones of 32 bytes and more score high.
fn estimated_entropy_bits(value: &[u8]) -> f64 {
    if value.is_empty() {
        return 0.0;
    }
    let mut counts = [0usize; 256];
    for byte in value {
        counts[usize::from(*byte)] += 1;
    }
    let len = value.len() as f64;
    let per_symbol: f64 = counts
        .iter()
        .filter(|count| **count > 0)
        .map(|count| {
            let p = *count as f64 / len;
            -p * p.log2()
        })
        .sum();
    per_symbol * len
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's Jail dictates the closure's error type.
mod tests {
    use super::*;

    #[test]
    fn loopback_binds_are_recognised() {
        assert!(binds_loopback_only("127.0.0.1:8080"));
        assert!(binds_loopback_only("[::1]:8080"));
        assert!(binds_loopback_only("localhost:0"));
        assert!(!binds_loopback_only("0.0.0.0:8080"));
        assert!(!binds_loopback_only("[::]:8080"));
        assert!(!binds_loopback_only("10.1.2.3:8080"));
        assert!(!binds_loopback_only("not an address"));
    }

    #[test]
    fn entropy_separates_random_from_repetitive() {
        assert!(estimated_entropy_bits(b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") < 1.0);
        assert!(estimated_entropy_bits(b"passwordpasswordpasswordpassword") < WEAK_SECRET_BITS);
        let random = STANDARD
            .decode("q6Yk0m3bJ9b1qz0HcX2v0mN4lq5m3p3C4d8Yt2Rz7wE1o9nQ0s2fH6kL8uV1xW3a")
            .expect("base64");
        assert!(estimated_entropy_bits(&random) >= WEAK_SECRET_BITS);
    }

    #[test]
    fn published_values_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("TENANTRY_AUTH_JWT_SECRET", PUBLISHED_JWT_SECRETS[0]);
            let config = Config::load(None).map_err(|e| e.to_string())?;
            assert!(check(&config).is_err());
            jail.set_env("TENANTRY_AUTH_JWT_SECRET", "");
            jail.set_env(
                "TENANTRY_SECRETS_KEYS",
                format!("k1:{}", PUBLISHED_SECRETS_KEYS[0]),
            );
            let config = Config::load(None).map_err(|e| e.to_string())?;
            assert!(check(&config).is_err());
            Ok(())
        });
    }
}

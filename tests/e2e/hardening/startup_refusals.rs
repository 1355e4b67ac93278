//! Configurations the server refuses: secrets published in the repository, and no-auth mode on an
//! address other machines reach. Compose cannot fall back to a published secret either.

use std::time::Duration;

use crate::support::{free_port, tenantry_command};

/// Runs `tenantry serve` with `envs`, expecting it to exit by itself; returns (success, output).
fn serve_expecting_exit(envs: &[(&str, &str)]) -> (bool, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = tenantry_command(dir.path())
        .arg("serve")
        .envs(envs.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn tenantry");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("tenantry kept running with {envs:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("output");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

fn loopback() -> String {
    format!("127.0.0.1:{}", free_port())
}

#[test]
fn the_published_compose_jwt_secret_is_refused() {
    let bind = loopback();
    let (ok, out) = serve_expecting_exit(&[
        ("TENANTRY_BIND", &bind),
        (
            "TENANTRY_AUTH_JWT_SECRET",
            "change-me-to-a-long-random-secret-of-32-bytes-or-more",
        ),
    ]);
    assert!(!ok, "{out}");
    assert!(out.contains("published"), "{out}");
}

#[test]
fn the_published_secrets_key_is_refused() {
    let bind = loopback();
    let (ok, out) = serve_expecting_exit(&[
        ("TENANTRY_BIND", &bind),
        (
            "TENANTRY_SECRETS_KEYS",
            "k1:REiOAmwU2Iw+sl2Ie+v6tNkXxBqN0nlfEg95vZFaKJA=",
        ),
        ("TENANTRY_SECRETS_CURRENT_KEY", "k1"),
    ]);
    assert!(!ok, "{out}");
    assert!(out.contains("published"), "{out}");
}

#[test]
fn no_auth_mode_refuses_a_public_bind_unless_allowed() {
    let public = format!("0.0.0.0:{}", free_port());
    let (ok, out) = serve_expecting_exit(&[("TENANTRY_AUTH_MODE", "none"), ("TENANTRY_BIND", &public)]);
    assert!(!ok, "{out}");
    assert!(out.contains("allow_public_no_auth"), "{out}");
}

#[tokio::test]
async fn no_auth_mode_starts_on_loopback_and_when_explicitly_allowed() {
    for allow in ["false", "true"] {
        let dir = tempfile::tempdir().expect("temp dir");
        let bind_host = if allow == "true" { "0.0.0.0" } else { "127.0.0.1" };
        let port = free_port();
        let mut child = tenantry_command(dir.path())
            .arg("serve")
            .env("TENANTRY_AUTH_MODE", "none")
            .env("TENANTRY_AUTH_ALLOW_PUBLIC_NO_AUTH", allow)
            .env("TENANTRY_BIND", format!("{bind_host}:{port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let mut healthy = false;
        while std::time::Instant::now() < deadline {
            if let Ok(response) = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await
                && response.status() == 200
            {
                healthy = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        assert!(healthy, "no-auth on {bind_host} with allow={allow} should serve");
    }
}

#[test]
fn compose_requires_the_shared_secrets_instead_of_falling_back() {
    let compose = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docker-compose.yml"))
        .expect("docker-compose.yml");
    for variable in [
        "TENANTRY_AUTH_JWT_SECRET",
        "TENANTRY_SECRETS_KEYS",
        "TENANTRY_SECRETS_CURRENT_KEY",
    ] {
        let line = compose
            .lines()
            .find(|line| line.trim_start().starts_with(&format!("{variable}:")))
            .unwrap_or_else(|| panic!("{variable} is not set in compose"));
        assert!(
            line.contains(&format!("${{{variable}:?")),
            "{variable} must be required: {line}"
        );
    }
    assert!(!compose.contains("change-me-to-a-long-random-secret"));
    assert!(!compose.contains("REiOAmwU2Iw+sl2Ie+v6tNkXxBqN0nlfEg95vZFaKJA="));
}

//! A real OpenID Provider for the single sign-on tests: `oidc-provider` from npm (pinned in
//! `tests/oidc-provider/package.json`), run with node as a child process, plus a browser stand-in
//! that walks the redirects between Tenantry and the provider.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
};

use serde_json::{Value, json};

/// The `node_modules` the provider runs with: `TENANTRY_TEST_OIDC_MODULES`, else where `.ci/run`
/// installs them.
pub fn oidc_modules() -> Option<PathBuf> {
    super::node_tools::node_modules("TENANTRY_TEST_OIDC_MODULES", "oidc-provider", "oidc-provider")
}

/// The provider is missing: loud, and a failure under CI.
pub fn provider_missing() {
    super::node_tools::not_installed(
        "oidc-provider is not installed (run .ci/run once, or set TENANTRY_TEST_OIDC_MODULES): the \
         single sign-on test did NOT run",
    );
}

/// A person at the provider.
pub struct Account<'a> {
    pub sub: &'a str,
    pub email: &'a str,
    pub email_verified: bool,
}

/// The provider process; killed on drop.
pub struct OidcProvider {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    child: Child,
    client: reqwest::Client,
}

impl OidcProvider {
    /// Starts the provider with one confidential client redirecting to `redirect_uris`.
    pub fn start(modules: &std::path::Path, redirect_uris: &[String], accounts: &[Account<'_>]) -> Self {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/oidc-provider/provider.mjs");
        let accounts: serde_json::Map<String, Value> = accounts
            .iter()
            .map(|account| {
                (
                    account.sub.to_owned(),
                    json!({
                        "email": account.email,
                        "email_verified": account.email_verified,
                        "name": account.sub,
                    }),
                )
            })
            .collect();
        let client_secret = format!("secret-{}", uuid::Uuid::new_v4().simple());
        let mut child = Command::new("node")
            .arg(script)
            .env("OIDC_PROVIDER_MODULES", modules)
            .env("PORT", "0")
            .env("CLIENT_ID", "tenantry")
            .env("CLIENT_SECRET", &client_secret)
            .env("REDIRECT_URIS", redirect_uris.join(","))
            .env("ACCOUNTS", Value::Object(accounts).to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("provider prints its address");
        let issuer = line
            .trim()
            .strip_prefix("listening ")
            .unwrap_or_else(|| panic!("unexpected first line from the provider: {line:?}"))
            .to_owned();
        Self {
            issuer,
            client_id: "tenantry".into(),
            client_secret,
            child,
            client: reqwest::Client::new(),
        }
    }

    /// Makes the provider's next ID tokens misbehave (`none` restores them).
    pub async fn tamper(&self, mode: &str) {
        let response = self
            .client
            .post(format!("{}/__test/tamper", self.issuer))
            .json(&json!({ "mode": mode }))
            .send()
            .await
            .expect("tamper");
        assert_eq!(response.status(), 204);
    }

    /// Rotates the provider's signing key: the old one leaves its key set.
    pub async fn rotate_keys(&self) {
        let response = self
            .client
            .post(format!("{}/__test/rotate", self.issuer))
            .send()
            .await
            .expect("rotate");
        assert_eq!(response.status(), 204);
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser: follows the provider's redirects with its own cookies, picks `account` at the
/// provider's login, and stops at the first redirect back to `callback_prefix`, returning that URL.
pub async fn sign_in_at_provider(authorization_url: &str, account: &str, callback_prefix: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut cookies: Vec<(String, String)> = Vec::new();
    let mut url = authorization_url.to_owned();
    for _ in 0..10 {
        if url.starts_with(callback_prefix) {
            return url;
        }
        let mut target = url.clone();
        if target.contains("/interaction/") {
            target = format!("{target}?account={account}");
        }
        let cookie_header = cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        let response = client
            .get(&target)
            .header("cookie", cookie_header)
            .send()
            .await
            .expect("provider answers");
        for set in response.headers().get_all("set-cookie") {
            let pair = set
                .to_str()
                .expect("cookie")
                .split(';')
                .next()
                .unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                cookies.retain(|(known, _)| known != name);
                cookies.push((name.trim().to_owned(), value.trim().to_owned()));
            }
        }
        assert!(
            response.status().is_redirection(),
            "provider answered {} at {target}: {}",
            response.status(),
            response.text().await.unwrap_or_default()
        );
        url = response
            .headers()
            .get("location")
            .and_then(|location| location.to_str().ok())
            .expect("location")
            .to_owned();
    }
    panic!("too many redirects at the provider");
}

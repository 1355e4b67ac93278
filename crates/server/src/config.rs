//! Configuration: the defaults of `config/default.toml` (built into the binary, the only place a
//! default is written), then an optional file named by `--config`/`TENANTRY_CONFIG`, then
//! environment variables: `TENANTRY_<SECTION>_<KEY>` for every section the defaults have.

use std::path::{Path, PathBuf};

use figment::{
    Figment,
    providers::{Env, Format, Toml},
};
use serde::Deserialize;
use tenantry_domain::SecretString;

/// The defaults shipped with the binary, so it starts with nothing configured.
const BUILT_IN_DEFAULTS: &str = include_str!("../../../config/default.toml");

/// The whole configuration of a server.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// Listen address.
    pub bind: String,
    /// Where embedded defaults keep their data.
    pub data_dir: PathBuf,
    /// The SQL database.
    pub database: DatabaseConfig,
    /// The event object store.
    pub storage: StorageConfig,
    /// HTTP limits and workers.
    pub http: HttpConfig,
    /// Logging.
    pub log: LogConfig,
    /// Identity.
    pub auth: AuthConfig,
    /// Orgs and invitations.
    pub orgs: OrgsConfig,
    /// Agent servers Tenantry drives.
    pub agents: AgentsConfig,
    /// Sandboxes Tenantry starts itself.
    pub sandboxes: SandboxesConfig,
    /// Live event streams.
    pub streams: StreamsConfig,
    /// Encryption of secrets.
    pub secrets: SecretsConfig,
    /// Outgoing mail.
    pub mail: MailConfig,
    /// Buying credits.
    pub billing: BillingConfig,
    /// Requests per minute.
    pub rate_limits: RateLimitsConfig,
}

/// `[rate_limits]`: requests per minute per API key, user, org and sandbox (0: unlimited); an org's own limit
/// is set with `tenantry orgs rate-limit`.
#[derive(Debug, Clone, Deserialize)]
pub struct RateLimitsConfig {
    /// Per API key.
    pub per_key: u32,
    /// Per user.
    pub per_user: u32,
    /// Per org.
    pub per_org: u32,
    /// Per sandbox (requests with its session key: webhooks, secret reads).
    pub per_sandbox: u32,
    /// How often instances share their counts.
    pub sync_interval_ms: u64,
}

/// `[streams]`.
#[derive(Debug, Clone, Deserialize)]
pub struct StreamsConfig {
    /// Seconds between heartbeats of an open stream (it also looks again for missed changes).
    pub heartbeat_secs: u64,
    /// Open streams one user may hold, on all instances together (429 beyond).
    pub max_per_user: usize,
    /// Seconds a stream's slot outlives its instance's last renewal: how long the streams of an
    /// instance that died keep counting against their holders (0: 30).
    pub lease_secs: u64,
    /// Open streams that anonymous readers of one shared conversation may hold on one instance
    /// together (429 beyond).
    pub max_per_shared_conversation: usize,
    /// Open streams that readers of every conversation one member shares may hold on one instance
    /// together, through share links (429 beyond).
    pub max_shared_per_creator: usize,
    /// Signals a slow stream may fall behind before it rereads from storage.
    pub signal_buffer: usize,
}

/// `[secrets]`.
#[derive(Debug, Clone, Deserialize)]
pub struct SecretsConfig {
    /// `id:base64key` entries; `None` means the key ring file in the data directory.
    pub keys: Option<SecretString>,
    /// The id new values are sealed with.
    pub current_key: Option<String>,
}

impl SecretsConfig {
    /// Whether keys come from configuration rather than the key ring file.
    pub fn configured(&self) -> bool {
        self.keys
            .as_ref()
            .is_some_and(|keys| !keys.expose().trim().is_empty())
    }
}

/// `[agents]`.
#[derive(Debug, Clone, Deserialize)]
pub struct AgentsConfig {
    /// The agent's working directory inside every sandbox (relative: to the agent server's).
    pub working_dir: String,
    /// Longest wait for an agent server's answer.
    pub request_timeout_secs: u64,
    /// Longest wait for a connection to an agent server.
    pub connect_timeout_secs: u64,
    /// Largest answer read from an agent server, in bytes (a longer one fails the call with 502).
    pub max_response_bytes: usize,
    /// Agent-server reports (webhooks) handled at once; 0 means half of `database.max_connections`
    /// (at least one), so other writes always find a connection.
    pub max_concurrent_reports: usize,
    /// Hosts sandbox URLs may name (`agents.example.com`, `*.sandboxes.example.com`); empty: any
    /// host whose addresses pass the checks below.
    #[serde(deserialize_with = "list_or_comma_separated")]
    pub allowed_hosts: Vec<String>,
    /// Whether sandbox URLs may point at loopback addresses (this machine).
    pub allow_loopback: bool,
    /// Whether sandbox URLs may point at private networks (10/8, 172.16/12, 192.168/16, 100.64/10,
    /// fc00::/7).
    pub allow_private_networks: bool,
}

impl AgentsConfig {
    /// Where Tenantry may call agent servers.
    pub fn outbound_policy(&self) -> tenantry_domain::outbound_policy::OutboundPolicy {
        tenantry_domain::outbound_policy::OutboundPolicy {
            allowed_hosts: self.allowed_hosts.clone(),
            allow_loopback: self.allow_loopback,
            allow_private: self.allow_private_networks,
        }
    }
}

/// `[sandboxes]`: how Tenantry starts sandboxes itself.
#[derive(Debug, Clone, Deserialize)]
pub struct SandboxesConfig {
    /// `process` (agent servers as local processes) or `none` (sandboxes are only registered).
    pub runtime: String,
    /// Running sandboxes per org (0: unlimited); an operator sets an org's own figure with
    /// `tenantry orgs sandbox-limit`.
    pub max_running_per_org: u32,
    /// Running sandboxes per member in one org (0: unlimited).
    pub max_running_per_user: u32,
    /// A running sandbox with no running conversation and no activity this long is paused (0:
    /// never).
    pub idle_timeout_secs: u64,
    /// Longest a start may take before the sandbox counts as failed.
    pub start_timeout_secs: u64,
    /// How often started sandboxes are looked at (up, crashed, idle, orphaned).
    pub supervise_interval_ms: u64,
    /// The spec used when a client names none.
    pub default_spec: String,
    /// The specs offered.
    pub specs: Vec<SandboxSpecConfig>,
    /// The process runtime.
    pub process: ProcessSandboxesConfig,
}

/// `[[sandboxes.specs]]`: named launch settings.
#[derive(Debug, Clone, Deserialize)]
pub struct SandboxSpecConfig {
    /// Its name.
    pub id: String,
    /// The program and arguments running the agent server (empty: the runtime's interpreter with
    /// `-m openhands.agent_server`).
    #[serde(default)]
    pub command: Vec<String>,
    /// Where the agent works, relative to the sandbox's directory.
    pub working_dir: String,
    /// Environment the agent server starts with.
    #[serde(default)]
    pub initial_env: std::collections::BTreeMap<String, String>,
}

/// `[sandboxes.process]`.
#[derive(Debug, Clone, Deserialize)]
pub struct ProcessSandboxesConfig {
    /// The Python interpreter with `openhands-agent-server` installed.
    pub python: PathBuf,
    /// Where sandboxes get their directories; unset: `<data_dir>/sandboxes`.
    pub root: Option<PathBuf>,
    /// How long a stopping agent server may take before it is killed.
    pub stop_grace_secs: u64,
}

/// `[orgs]`.
#[derive(Debug, Clone, Deserialize)]
pub struct OrgsConfig {
    /// Invitation lifetime.
    pub invitation_ttl_secs: u64,
    /// Only accounts with a verified email may be added or accept invitations.
    pub require_verified_email: bool,
    /// The org every new account joins, by name (created when missing); `None`: none.
    pub default_org: Option<String>,
    /// The role new accounts get in the default org (never owner).
    pub default_role: tenantry_domain::Role,
}

/// `[database]`.
#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseConfig {
    /// `sqlite://…` or `postgres://…`; `None` means an SQLite file in the data directory.
    pub url: Option<String>,
    /// Pool size.
    pub max_connections: u32,
    /// Idle connections kept.
    pub min_connections: u32,
    /// Longest wait for a pooled connection.
    pub acquire_timeout_ms: u64,
    /// SQLite lock wait.
    pub sqlite_busy_timeout_ms: u64,
    /// SQLite: the largest the database file may grow, in bytes (0: no bound but the disk's).
    pub sqlite_max_size_bytes: u64,
    /// PostgreSQL: longest statement, and longest idle transaction, before the server ends it.
    pub statement_timeout_ms: u64,
    /// PostgreSQL: longest wait for a lock.
    pub lock_timeout_ms: u64,
}

/// `[storage]`.
#[derive(Debug, Clone, Deserialize)]
pub struct StorageConfig {
    /// `file://…`, `s3://…` or `memory://`; `None` means `<data_dir>/objects`.
    pub url: Option<String>,
    /// S3 endpoint for S3-compatible servers.
    pub s3_endpoint: Option<String>,
    /// S3 region.
    pub s3_region: Option<String>,
    /// S3 access key id.
    pub s3_access_key_id: Option<String>,
    /// S3 secret access key.
    pub s3_secret_access_key: Option<SecretString>,
    /// Path-style bucket addressing.
    pub s3_path_style: bool,
    /// Per-request timeout.
    pub request_timeout_ms: u64,
    /// Retries per request.
    pub max_retries: usize,
    /// Interval of the background purge of deleted events.
    pub purge_interval_secs: u64,
    /// Recent event segments kept in memory, in bytes (about their JSON size); 0 turns it off.
    pub event_cache_bytes: u64,
    /// Interval of the retention sweep (conversations idle beyond `conversation_expiration`).
    pub retention_interval_secs: u64,
    /// Interval of the sweep of spent and expired single-use rows (one-time tokens, stream tickets).
    pub sweep_interval_secs: u64,
    /// Interval of the sweep of event batches no segment points to.
    pub orphan_sweep_interval_secs: u64,
    /// How old an unrecorded batch must be before that sweep deletes it.
    pub orphan_grace_secs: u64,
}

impl Config {
    /// The deadlines of requests: `http.request_deadline_secs`, and for requests calling other
    /// services that plus the longest of their timeouts (at least 30 s for mail and DNS).
    pub fn request_deadline(&self) -> tenantry_http::RequestDeadline {
        let local = std::time::Duration::from_secs(self.http.request_deadline_secs.max(1));
        let outbound_secs = [
            self.agents.request_timeout_secs + self.agents.connect_timeout_secs,
            self.auth.oidc.request_timeout_secs + self.auth.oidc.connect_timeout_secs,
            self.billing.request_timeout_secs,
            30,
        ]
        .into_iter()
        .max()
        .unwrap_or(30);
        tenantry_http::RequestDeadline {
            local,
            outbound: local + std::time::Duration::from_secs(outbound_secs),
        }
    }
}

impl Config {
    /// How many agent-server reports are handled at once: `agents.max_concurrent_reports`, or half
    /// the database pool, never more than the pool less one.
    pub fn report_slots(&self) -> usize {
        let pool = self.database.max_connections as usize;
        let slots = match self.agents.max_concurrent_reports {
            0 => pool / 2,
            set => set,
        };
        slots.min(pool.saturating_sub(1)).max(1)
    }
}

impl StorageConfig {
    /// The S3 connection settings for `s3://` URLs.
    pub fn s3_options(&self) -> tenantry_objects::S3Options {
        tenantry_objects::S3Options {
            endpoint: self.s3_endpoint.clone(),
            region: self.s3_region.clone(),
            access_key_id: self.s3_access_key_id.clone(),
            secret_access_key: self
                .s3_secret_access_key
                .as_ref()
                .map(|secret| secret.expose().to_owned()),
            path_style: self.s3_path_style,
            request_timeout: std::time::Duration::from_millis(self.request_timeout_ms),
            max_retries: self.max_retries,
        }
    }
}

/// `[http]`.
#[derive(Debug, Clone, Deserialize)]
pub struct HttpConfig {
    /// Largest request body.
    pub body_limit_bytes: usize,
    /// Largest event batch body.
    pub events_body_limit_bytes: usize,
    /// Worker threads; 0 means one per core.
    pub workers: usize,
    /// Grace period for in-flight requests on SIGTERM.
    pub shutdown_timeout_secs: u64,
    /// Longest a request may take once its body is in (503 `deadline_exceeded` beyond); requests
    /// that call an agent server, identity provider, payment provider or mail server get their
    /// outbound timeouts on top.
    pub request_deadline_secs: u64,
    /// Longest each readiness probe may take before it counts as failed.
    pub readiness_probe_timeout_ms: u64,
    /// Bytes of request bodies buffered at once over all requests (503 beyond, after a short wait).
    pub max_buffered_body_bytes: usize,
    /// Seconds a client may take to send a request body once its headers are in (408 beyond).
    pub body_timeout_secs: u64,
    /// Request bodies being received at once, over all connections (503 beyond).
    pub max_bodies_in_flight: usize,
    /// Proxies (CIDR blocks) whose `Forwarded`/`X-Forwarded-For` entries name the client; a list or
    /// one comma-separated string (for the environment).
    #[serde(deserialize_with = "list_or_comma_separated")]
    pub trusted_proxies: Vec<String>,
    /// Send `Strict-Transport-Security`.
    pub hsts: bool,
    /// Serve `/metrics` on this address instead of the main one.
    pub metrics_bind: Option<String>,
}

/// How callers authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthModeConfig {
    /// Bearer tokens.
    Password,
    /// One local user, no authentication.
    None,
}

/// `[auth]`.
#[derive(Debug, Clone, Deserialize)]
pub struct AuthConfig {
    /// `password` or `none`.
    pub mode: AuthModeConfig,
    /// Let `mode = none` listen on a non-loopback address (only behind something that authenticates).
    pub allow_public_no_auth: bool,
    /// HMAC key for access tokens; `None` means a generated key file.
    pub jwt_secret: Option<SecretString>,
    /// `iss` of access tokens.
    pub issuer: String,
    /// `aud` of access tokens.
    pub audience: String,
    /// Access token lifetime.
    pub access_ttl_secs: u64,
    /// How recent an MFA superadmin's sign-in must be for the operator API.
    pub operator_fresh_sign_in_secs: u64,
    /// Absolute refresh-token family lifetime.
    pub refresh_ttl_secs: u64,
    /// Clock skew tolerated.
    pub jwt_leeway_secs: u64,
    /// Verification token lifetime.
    pub verification_ttl_secs: u64,
    /// Reset token lifetime.
    pub reset_ttl_secs: u64,
    /// Base URL people and sandboxes reach Tenantry at; `None`: the address it listens on (see
    /// [`crate::public_url`]).
    pub public_url: Option<String>,
    /// Password hashing cost.
    pub argon2: Argon2Config,
    /// Login throttling.
    pub throttle: ThrottleConfig,
    /// Single sign-on with OpenID Connect.
    pub oidc: OidcConfig,
    /// How orgs prove they control their email domains.
    pub domain_verification: DomainVerificationConfig,
}

/// `[auth.domain_verification]`: the DNS lookups that prove an org's email domains.
#[derive(Clone, Debug, Deserialize)]
pub struct DomainVerificationConfig {
    /// Name servers to ask (`ip:port`); empty: the system's resolvers (`/etc/resolv.conf`).
    pub name_servers: Vec<std::net::SocketAddr>,
}

/// Which payment provider sells credits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentProviderKind {
    /// Billing is off: checkouts are refused.
    None,
    /// Stripe checkout sessions and signed webhook events.
    Stripe,
}

/// `[billing]`: buying credits through a payment provider.
#[derive(Debug, Clone, Deserialize)]
pub struct BillingConfig {
    /// `none` or `stripe`.
    pub provider: PaymentProviderKind,
    /// Stripe's API base URL (a stand-in in tests).
    pub stripe_api_base: String,
    /// Stripe secret API key.
    pub stripe_secret_key: SecretString,
    /// The webhook endpoint's signing secret.
    pub stripe_webhook_secret: SecretString,
    /// Three-letter currency code of purchases.
    pub currency: String,
    /// Where the payer goes after paying.
    pub success_url: String,
    /// Where the payer goes after giving up.
    pub cancel_url: String,
    /// How long a request to the provider may take.
    pub request_timeout_secs: u64,
}

/// `[auth.oidc]`: single sign-on. Orgs' admins add their own providers through the API.
#[derive(Debug, Clone, Deserialize)]
pub struct OidcConfig {
    /// How long a request to a provider may take.
    pub request_timeout_secs: u64,
    /// Absolute URLs a finished sign-in may redirect under (paths on this server always may).
    pub redirect_allow_list: Vec<String>,
    /// Longest wait for a connection to a provider.
    pub connect_timeout_secs: u64,
    /// Largest document read from a provider (discovery, keys, token response), in bytes.
    pub max_document_bytes: usize,
    /// How long a failed discovery is remembered: sign-ins through that issuer fail at once.
    pub failed_discovery_cache_secs: u64,
    /// URLs off an issuer's origin its endpoints may be under (by default every endpoint must be on
    /// the issuer's origin).
    pub endpoint_allow_list: Vec<String>,
    /// Providers for the whole install, signed in through `/api/auth/oidc/{name}/start`.
    #[serde(default)]
    pub providers: Vec<OidcProviderConfig>,
}

/// `[[auth.oidc.providers]]`.
#[derive(Debug, Clone, Deserialize)]
pub struct OidcProviderConfig {
    /// Name in URLs (letters, digits, `-`, `_`).
    pub name: String,
    /// Issuer URL.
    pub issuer: String,
    /// Tenantry's client id there.
    pub client_id: String,
    /// Tenantry's client secret there.
    pub client_secret: SecretString,
    /// Email domains that may sign in (empty: any).
    #[serde(default)]
    pub allowed_domains: Vec<String>,
}

/// `[auth.argon2]`.
#[derive(Debug, Clone, Deserialize)]
pub struct Argon2Config {
    /// KiB of memory per hash.
    pub memory_kib: u32,
    /// Passes.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
    /// Concurrent hashes; 0 means one per core.
    pub max_concurrent: usize,
}

/// `[auth.throttle]`.
#[derive(Debug, Clone, Deserialize)]
pub struct ThrottleConfig {
    /// Failures tolerated per account.
    pub account_max_failures: u32,
    /// Failures tolerated per client address.
    pub address_max_failures: u32,
    /// Counting window.
    pub window_secs: u64,
    /// Lockout length.
    pub lockout_secs: u64,
    /// Password reset mails per account per hour.
    pub reset_mails_per_account_per_hour: u32,
    /// Password reset requests per client address per hour.
    pub reset_requests_per_address_per_hour: u32,
    /// How often expired counters are deleted.
    pub sweep_interval_secs: u64,
}

/// How mail leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    /// Log recipient and subject only.
    Log,
    /// One `.eml` file per message.
    File,
    /// An SMTP server.
    Smtp,
}

/// `[mail]`.
#[derive(Debug, Clone, Deserialize)]
pub struct MailConfig {
    /// Transport.
    pub transport: MailTransport,
    /// Outbox directory for `file`; `None` means `<data_dir>/mail`.
    pub dir: Option<PathBuf>,
    /// Sender.
    pub from: String,
    /// Server for `smtp`.
    pub smtp_url: Option<SecretString>,
}

/// `[log]`.
#[derive(Debug, Clone, Deserialize)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: String,
    /// Default filter.
    pub level: String,
}

impl Config {
    /// Loads the configuration, `extra_file` (if any) overriding the defaults and environment
    /// variables overriding everything.
    pub fn load(extra_file: Option<&Path>) -> Result<Self, Box<figment::Error>> {
        let mut figment = Figment::new().merge(Toml::string(BUILT_IN_DEFAULTS));
        if let Some(file) = extra_file {
            figment = figment.merge(Toml::file_exact(file));
        }
        let sections = sections_of(&Figment::from(Toml::string(BUILT_IN_DEFAULTS)));
        figment
            .merge(Env::raw().only(&["DATABASE_URL"]).map(|_| "database.url".into()))
            .merge(
                Env::prefixed("TENANTRY_")
                    .ignore(&["CONFIG"])
                    .map(move |key| section_key(&sections, &key.as_str().to_lowercase()).into()),
            )
            .extract()
            .map_err(Box::new)
    }

    /// The database URL, defaulting to an SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database.url {
            Some(url) if !url.trim().is_empty() => url.clone(),
            _ => format!(
                "sqlite://{}?mode=rwc",
                absolute(&self.data_dir.join("tenantry.db")).display()
            ),
        }
    }

    /// The storage URL, defaulting to a directory in the data directory.
    pub fn storage_url(&self) -> String {
        match &self.storage.url {
            Some(url) if !url.trim().is_empty() => url.clone(),
            _ => format!("file://{}", absolute(&self.data_dir.join("objects")).display()),
        }
    }
}

/// A list of strings, or one string of comma-separated entries.
fn list_or_comma_separated<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Entries {
        List(Vec<String>),
        One(String),
    }
    Ok(match Entries::deserialize(deserializer)? {
        Entries::List(list) => list,
        Entries::One(text) => text
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

/// Every section (table) of the configuration `figment` holds, as dotted paths, the most deeply
/// nested first (`auth.argon2` before `auth`), so environment names find the closest section.
fn sections_of(figment: &Figment) -> Vec<String> {
    fn walk(prefix: &str, dict: &figment::value::Dict, sections: &mut Vec<String>) {
        for (key, value) in dict {
            if let figment::value::Value::Dict(_, inner) = value {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                walk(&path, inner, sections);
                sections.push(path);
            }
        }
    }
    let mut sections = Vec::new();
    if let Ok(figment::value::Value::Dict(_, root)) = figment.find_value("") {
        walk("", &root, &mut sections);
    }
    sections.sort_by_key(|path| std::cmp::Reverse(path.matches('.').count()));
    sections
}

/// `database_max_connections` → `database.max_connections` (the section whose underscored path
/// begins the name); top-level keys stay as they are.
fn section_key(sections: &[String], lowercased: &str) -> String {
    for path in sections {
        if let Some(rest) = lowercased
            .strip_prefix(path.replace('.', "_").as_str())
            .and_then(|rest| rest.strip_prefix('_'))
        {
            return format!("{path}.{rest}");
        }
    }
    lowercased.to_owned()
}

/// `path` made absolute against the current directory, without touching the filesystem.
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's Jail dictates the closure's error type.
mod tests {
    use super::*;

    fn section_key(lowercased: &str) -> String {
        super::section_key(
            &sections_of(&Figment::from(Toml::string(BUILT_IN_DEFAULTS))),
            lowercased,
        )
    }

    #[test]
    fn environment_names_map_to_sections() {
        assert_eq!(section_key("bind"), "bind");
        assert_eq!(section_key("storage_url"), "storage.url");
        assert_eq!(
            section_key("database_max_connections"),
            "database.max_connections"
        );
        assert_eq!(section_key("data_dir"), "data_dir");
        assert_eq!(section_key("streams_max_per_user"), "streams.max_per_user");
        assert_eq!(section_key("auth_mode"), "auth.mode");
        assert_eq!(section_key("auth_argon2_memory_kib"), "auth.argon2.memory_kib");
        assert_eq!(section_key("mail_dir"), "mail.dir");
        assert_eq!(section_key("rate_limits_per_user"), "rate_limits.per_user");
        assert_eq!(
            section_key("auth_oidc_request_timeout_secs"),
            "auth.oidc.request_timeout_secs"
        );
        assert_eq!(
            section_key("billing_stripe_secret_key"),
            "billing.stripe_secret_key"
        );
        assert_eq!(
            section_key("sandboxes_process_python"),
            "sandboxes.process.python"
        );
        assert_eq!(
            section_key("sandboxes_max_running_per_org"),
            "sandboxes.max_running_per_org"
        );
        assert_eq!(section_key("secrets_keys"), "secrets.keys");
        assert_eq!(
            section_key("auth_domain_verification_name_servers"),
            "auth.domain_verification.name_servers"
        );
    }

    #[test]
    fn a_config_file_in_the_working_directory_is_not_read() {
        figment::Jail::expect_with(|jail| {
            jail.create_dir("config")?;
            jail.create_file("config/default.toml", "bind = \"0.0.0.0:1\"")?;
            let config = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(config.bind, "127.0.0.1:8080");
            Ok(())
        });
    }

    #[test]
    fn environment_overrides_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("TENANTRY_BIND", "0.0.0.0:9999");
            jail.set_env("DATABASE_URL", "postgres://db/x");
            jail.set_env("TENANTRY_DATABASE_MAX_CONNECTIONS", "3");
            jail.set_env("TENANTRY_STORAGE_URL", "memory://");
            let config = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(config.bind, "0.0.0.0:9999");
            assert_eq!(config.database_url(), "postgres://db/x");
            assert_eq!(config.database.max_connections, 3);
            assert_eq!(config.storage_url(), "memory://");
            Ok(())
        });
    }

    #[test]
    fn defaults_keep_data_under_the_data_directory() {
        figment::Jail::expect_with(|_jail| {
            let config = Config::load(None).map_err(|e| e.to_string())?;
            assert!(config.database_url().starts_with("sqlite:///"));
            assert!(config.database_url().ends_with("/data/tenantry.db?mode=rwc"));
            assert!(config.storage_url().ends_with("/data/objects"));
            Ok(())
        });
    }
}

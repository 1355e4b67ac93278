use std::{path::PathBuf, sync::Arc, time::Duration};

use anyhow::Context;
use prometheus::Registry;
use tenantry_agents::{AgentClientSettings, HttpAgentServer};
use tenantry_crypto::{
    Argon2Hasher, Argon2Settings, JwtAccessTokens, JwtSettings, RandomSecretTokens, TntApiKeys, TotpRfc6238,
};
use tenantry_dns::DnsDomainVerifier;
use tenantry_domain::{
    SecretString,
    clock::{Clock, SystemClock},
    ports::{
        AccessTokens, Accounts, AgentServer, ApiKeyFormat, ApiKeyStore, AuditLog, BackgroundTasks,
        BillingStore, ConversationShares, Conversations, Credentials, DomainVerifier, EventIndex, EventStore,
        ExpiredRows, LoginThrottleStore, Mailer, MemberDirectory, MfaStore, OidcClient, OneTimeTokens, Orgs,
        PasswordHasher, PaymentProvider, Probe, PurgeQueue, RemoteDeletionQueue, RequestCounters,
        RetentionStore, SandboxRuntime, SandboxStore, SecretCipher, SecretStore, SecretTokens, SessionReads,
        SessionThenRead, Sessions, SettingsStore, SignalBus, SpendStore, SsoStore, StreamTickets, TotpCodes,
        UnitOfWork,
    },
};
use tenantry_mail::{FileMailer, LogMailer, SmtpMailer};
use tenantry_objects::{CachedEventStore, ObjectEventStore, open_object_store};
use tenantry_oidc::{HttpLimits as OidcHttpLimits, OpenIdConnectClient};
use tenantry_payments::{NoPayments, StripePayments, StripeSettings};
use tenantry_sql::{
    PostgresSessionReads, SqlApiKeyStore, SqlBillingStore, SqlConversationStore, SqlDatabase, SqlExpiredRows,
    SqlIdentityStore, SqlLoginThrottle, SqlMfaStore, SqlOrgStore, SqlRemoteDeletionQueue, SqlRequestCounters,
    SqlSandboxStore, SqlSecretStore, SqlShareStore, SqlSignalBus, SqlSpendStore, SqlSsoStore, SqlUnitOfWork,
};

use super::keys::{jwt_secret, key_ring};
use crate::{
    background::TokioBackground,
    config::{Config, MailTransport, PaymentProviderKind, absolute},
    metrics::MeteredEventStore,
};

/// Every adapter the services run on, one field per port. Replace a field to swap an adapter.
#[derive(Clone)]
pub struct Adapters {
    /// Transactions in which the domain decides on several rows at once.
    pub unit_of_work: Arc<dyn UnitOfWork>,
    /// Users and their accounts.
    pub accounts: Arc<dyn Accounts>,
    /// Password hashes.
    pub credentials: Arc<dyn Credentials>,
    /// Sessions and refresh tokens.
    pub sessions: Arc<dyn Sessions>,
    /// Email verification and reset tokens.
    pub one_time_tokens: Arc<dyn OneTimeTokens>,
    /// Login attempt counters.
    pub login_throttle: Arc<dyn LoginThrottleStore>,
    /// Orgs and memberships.
    pub orgs: Arc<dyn Orgs>,
    /// Members and invitations as listed.
    pub member_directory: Arc<dyn MemberDirectory>,
    /// The audit log.
    pub audit_log: Arc<dyn AuditLog>,
    /// Conversation metadata and usage.
    pub conversations: Arc<dyn Conversations>,
    /// Where conversations' events are.
    pub event_index: Arc<dyn EventIndex>,
    /// The hot reads, each with the caller's session confirmed in the same statement.
    pub session_reads: Arc<dyn SessionReads>,
    /// Event objects waiting to be deleted.
    pub purge_queue: Arc<dyn PurgeQueue>,
    /// What the retention sweep reads and deletes.
    pub retention: Arc<dyn RetentionStore>,
    /// Event payloads.
    pub event_store: Arc<dyn EventStore>,
    /// Encrypted secrets.
    pub secrets: Arc<dyn SecretStore>,
    /// Org settings, member overrides, preferences.
    pub settings: Arc<dyn SettingsStore>,
    /// API keys, stored hashed.
    pub api_keys: Arc<dyn ApiKeyStore>,
    /// Registered sandboxes.
    pub sandboxes: Arc<dyn SandboxStore>,
    /// Deletions an agent server missed.
    pub remote_deletions: Arc<dyn RemoteDeletionQueue>,
    /// What `/readyz` checks.
    pub probes: Vec<Arc<dyn Probe>>,
    /// Outgoing mail.
    pub mailer: Arc<dyn Mailer>,
    /// Password hashing.
    pub password_hasher: Arc<dyn PasswordHasher>,
    /// Access token signing.
    pub access_tokens: Arc<dyn AccessTokens>,
    /// Opaque tokens and their digests.
    pub secret_tokens: Arc<dyn SecretTokens>,
    /// Encryption of secrets under the key ring.
    pub cipher: Arc<dyn SecretCipher>,
    /// API key minting and recognition.
    pub api_key_format: Arc<dyn ApiKeyFormat>,
    /// The agent servers Tenantry drives.
    pub agent_server: Arc<dyn AgentServer>,
    /// Members' named LLM profiles.
    pub llm_profiles: Arc<dyn tenantry_domain::ports::LlmProfileStore>,
    /// Device authorizations (OAuth 2.0 device grant).
    pub device_authorizations: Arc<dyn tenantry_domain::ports::DeviceAuthorizations>,
    /// Conversation start tasks.
    pub start_tasks: Arc<dyn tenantry_domain::ports::StartTaskStore>,
    /// What starts sandboxes (`None`: this install only registers them).
    pub sandbox_runtime: Option<Arc<dyn SandboxRuntime>>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Work handed off after a request is answered.
    pub background: Arc<dyn BackgroundTasks>,
    /// Signals to live readers, across instances.
    pub signals: Arc<dyn SignalBus>,
    /// Share links of conversations.
    pub shares: Arc<dyn ConversationShares>,
    /// Single-use stream tickets.
    pub stream_tickets: Arc<dyn StreamTickets>,
    /// Spent and expired single-use rows, swept.
    pub expired_rows: Arc<dyn ExpiredRows>,
    /// TOTP enrolments and recovery codes.
    pub mfa: Arc<dyn MfaStore>,
    /// TOTP codes.
    pub totp: Arc<dyn TotpCodes>,
    /// Single sign-on providers, linked identities and sign-ins under way.
    pub sso: Arc<dyn SsoStore>,
    /// The OpenID Connect relying party.
    pub oidc: Arc<dyn OidcClient>,
    /// DNS lookups proving orgs' email domains.
    pub domain_verifier: Arc<dyn DomainVerifier>,
    /// Billing sessions and the credit ledger.
    pub billing: Arc<dyn BillingStore>,
    /// Budgets and spending.
    pub spend: Arc<dyn SpendStore>,
    /// Reads across the install for operators.
    pub operator_reads: Arc<dyn tenantry_domain::ports::OperatorReads>,
    /// Request counters for rate limits, shared by every instance.
    pub request_counters: Arc<dyn RequestCounters>,
    /// The payment provider.
    pub payments: Arc<dyn PaymentProvider>,
}

impl Adapters {
    /// The production adapters: SQL over `database`, the configured object store (its calls
    /// measured in `registry`), mail transport, key ring, argon2 and JWT.
    pub fn sql(config: &Config, database: &SqlDatabase, registry: &Registry) -> anyhow::Result<Self> {
        let events = open_object_store(&config.storage_url(), &config.storage.s3_options())?;
        let mut event_store: Arc<dyn EventStore> = Arc::new(MeteredEventStore::register(
            registry,
            Arc::new(ObjectEventStore::new(events)),
        )?);
        if config.storage.event_cache_bytes > 0 {
            event_store = Arc::new(CachedEventStore::new(
                event_store,
                config.storage.event_cache_bytes,
            ));
        }
        let identity = Arc::new(SqlIdentityStore::new(database.clone()));
        let orgs = Arc::new(SqlOrgStore::new(database.clone()));
        let conversations = Arc::new(SqlConversationStore::new(database.clone()));
        // PostgreSQL reads a session with its data in one statement, which saves a round trip.
        // SQLite has none to save, and its planner materialises the joined page (the list ran at
        // half its speed), so there the session is read first.
        let session_reads: Arc<dyn SessionReads> = match PostgresSessionReads::new(database) {
            Some(reads) => Arc::new(reads),
            None => Arc::new(SessionThenRead {
                sessions: identity.clone(),
                conversations: conversations.clone(),
                event_index: conversations.clone(),
            }),
        };
        let secrets = Arc::new(SqlSecretStore::new(database.clone()));
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let shares = Arc::new(SqlShareStore::new(database.clone()));
        Ok(Self {
            unit_of_work: Arc::new(SqlUnitOfWork::new(database.clone())),
            accounts: identity.clone(),
            credentials: identity.clone(),
            sessions: identity.clone(),
            one_time_tokens: identity,
            login_throttle: Arc::new(SqlLoginThrottle::new(database.clone())),
            orgs: orgs.clone(),
            member_directory: orgs.clone(),
            audit_log: orgs,
            conversations: conversations.clone(),
            event_index: conversations.clone(),
            session_reads,
            purge_queue: conversations.clone(),
            retention: conversations,
            probes: {
                let limit = std::time::Duration::from_millis(config.http.readiness_probe_timeout_ms.max(1));
                let database: Arc<dyn tenantry_domain::ports::Probe> = Arc::new(database.clone());
                vec![
                    crate::bounded_probe::BoundedProbe::wrap(database, limit),
                    crate::bounded_probe::BoundedProbe::wrap(event_store.clone(), limit),
                ]
            },
            event_store,
            secrets: secrets.clone(),
            settings: secrets,
            api_keys: Arc::new(SqlApiKeyStore::new(database.clone())),
            sandboxes: Arc::new(SqlSandboxStore::new(database.clone())),
            remote_deletions: Arc::new(SqlRemoteDeletionQueue::new(database.clone())),
            mailer: mailer(config)?,
            password_hasher: Arc::new(password_hasher(config)?),
            access_tokens: Arc::new(JwtAccessTokens::new(JwtSettings {
                secret: jwt_secret(config)?,
                issuer: config.auth.issuer.clone(),
                audience: config.auth.audience.clone(),
                ttl: Duration::from_secs(config.auth.access_ttl_secs),
                leeway: Duration::from_secs(config.auth.jwt_leeway_secs),
            })?),
            secret_tokens: Arc::new(RandomSecretTokens),
            cipher: Arc::new(key_ring(config)?),
            api_key_format: Arc::new(TntApiKeys),
            agent_server: Arc::new(HttpAgentServer::new(AgentClientSettings {
                timeout: Duration::from_secs(config.agents.request_timeout_secs),
                connect_timeout: Duration::from_secs(config.agents.connect_timeout_secs),
                max_response_bytes: config.agents.max_response_bytes,
                policy: config.agents.outbound_policy(),
            })),
            start_tasks: Arc::new(tenantry_sql::SqlStartTaskStore::new(database.clone())),
            device_authorizations: Arc::new(tenantry_sql::SqlDeviceAuthorizations::new(database.clone())),
            llm_profiles: Arc::new(tenantry_sql::SqlLlmProfileStore::new(database.clone())),
            sandbox_runtime: sandbox_runtime(config)?,
            clock: clock.clone(),
            background: Arc::new(TokioBackground),
            signals: Arc::new(SqlSignalBus::start(database, config.streams.signal_buffer)),
            shares: shares.clone(),
            stream_tickets: shares,
            expired_rows: Arc::new(SqlExpiredRows::new(database.clone())),
            mfa: Arc::new(SqlMfaStore::new(database.clone())),
            totp: Arc::new(TotpRfc6238),
            sso: Arc::new(SqlSsoStore::new(database.clone())),
            domain_verifier: Arc::new(DnsDomainVerifier::new(
                &config.auth.domain_verification.name_servers,
            )?),
            oidc: Arc::new(
                OpenIdConnectClient::new(
                    OidcHttpLimits {
                        timeout: Duration::from_secs(config.auth.oidc.request_timeout_secs),
                        connect_timeout: Duration::from_secs(config.auth.oidc.connect_timeout_secs),
                        max_document_bytes: config.auth.oidc.max_document_bytes,
                        endpoint_allow_list: config.auth.oidc.endpoint_allow_list.clone(),
                    },
                    Duration::from_secs(config.auth.oidc.failed_discovery_cache_secs),
                )
                .map_err(|error| anyhow::anyhow!("OpenID Connect client: {error}"))?,
            ),
            billing: Arc::new(SqlBillingStore::new(database.clone())),
            spend: Arc::new(SqlSpendStore::new(database.clone())),
            operator_reads: Arc::new(tenantry_sql::SqlOperatorReads::new(database.clone())),
            request_counters: Arc::new(SqlRequestCounters::start(
                database,
                Duration::from_millis(config.rate_limits.sync_interval_ms.max(10)),
                clock,
            )),
            payments: payment_provider(config)?,
        })
    }
}

fn password_hasher(config: &Config) -> anyhow::Result<Argon2Hasher> {
    let argon2 = &config.auth.argon2;
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    Ok(Argon2Hasher::new(Argon2Settings {
        memory_kib: argon2.memory_kib,
        iterations: argon2.iterations,
        parallelism: argon2.parallelism,
        max_concurrent: if argon2.max_concurrent == 0 {
            cores
        } else {
            argon2.max_concurrent
        },
    })?)
}

fn mailer(config: &Config) -> anyhow::Result<Arc<dyn Mailer>> {
    let mail = &config.mail;
    Ok(match mail.transport {
        MailTransport::Log => Arc::new(LogMailer),
        MailTransport::File => {
            let dir = mail.dir.clone().unwrap_or_else(|| config.data_dir.join("mail"));
            let dir: PathBuf = absolute(&dir);
            tracing::info!(dir = %dir.display(), "mail is written to files");
            Arc::new(FileMailer::new(dir, mail.from.clone()).context("cannot create the mail directory")?)
        }
        MailTransport::Smtp => {
            let url = mail
                .smtp_url
                .as_ref()
                .map(SecretString::expose)
                .context("mail.transport = smtp needs mail.smtp_url")?;
            Arc::new(SmtpMailer::new(url, mail.from.clone())?)
        }
    })
}

/// The configured payment provider (`billing.provider`).
fn payment_provider(config: &Config) -> anyhow::Result<Arc<dyn PaymentProvider>> {
    let billing = &config.billing;
    match billing.provider {
        PaymentProviderKind::None => Ok(Arc::new(NoPayments)),
        PaymentProviderKind::Stripe => {
            anyhow::ensure!(
                !billing.stripe_secret_key.expose().is_empty()
                    && !billing.stripe_webhook_secret.expose().is_empty(),
                "billing.provider = stripe needs billing.stripe_secret_key and billing.stripe_webhook_secret"
            );
            let stripe = StripePayments::new(StripeSettings {
                api_base: billing.stripe_api_base.clone(),
                secret_key: billing.stripe_secret_key.expose().to_owned(),
                webhook_secret: billing.stripe_webhook_secret.expose().to_owned(),
                currency: billing.currency.clone(),
                success_url: billing.success_url.clone(),
                cancel_url: billing.cancel_url.clone(),
                timeout: Duration::from_secs(billing.request_timeout_secs),
            })
            .map_err(|error| anyhow::anyhow!("Stripe client: {error}"))?;
            Ok(Arc::new(stripe))
        }
    }
}

/// The sandbox runtime `sandboxes.runtime` names.
fn sandbox_runtime(config: &Config) -> anyhow::Result<Option<Arc<dyn SandboxRuntime>>> {
    match config.sandboxes.runtime.as_str() {
        "none" => Ok(None),
        "process" => {
            let process = &config.sandboxes.process;
            let root = process
                .root
                .clone()
                .unwrap_or_else(|| config.data_dir.join("sandboxes"));
            let runtime = tenantry_runtimes::ProcessRuntime::new(tenantry_runtimes::ProcessRuntimeConfig {
                python: process.python.clone(),
                root: absolute(&root),
                stop_grace: Duration::from_secs(process.stop_grace_secs),
            })
            .map_err(|failure| anyhow::anyhow!("{failure}"))?;
            Ok(Some(Arc::new(runtime)))
        }
        other => anyhow::bail!("sandboxes.runtime must be \"process\" or \"none\", not {other:?}"),
    }
}

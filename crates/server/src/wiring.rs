//! Configuration → adapters → services. The one place where adapters are chosen; a self-hosted
//! variant swaps an adapter here and nowhere else.

use std::{path::PathBuf, sync::Arc, time::Duration};

use anyhow::Context;
use prometheus::Registry;
use tenantry_agents::HttpAgentServer;
use tenantry_crypto::{
    Argon2Hasher, Argon2Settings, JwtAccessTokens, JwtSettings, KeyRing, RandomSecretTokens, TntApiKeys,
    load_or_create_key,
};
use tenantry_domain::{
    clock::SystemClock,
    invitation_acceptance::JoiningPolicy,
    ports::{AllowAllConversations, EventStore, Mailer, Probe, SecretCipher, UnitOfWork},
    services::{
        AgentRunPorts, AgentRunService, ApiKeyPorts, ApiKeyService, ConversationPorts, ConversationService,
        EventPurger, IdentityPorts, IdentityService, IdentitySettings, OrgPorts, OrgService, OrgSettings,
        ReadinessService, SandboxPorts, SandboxService, SecretPorts, SecretService, SettingsPorts,
        SettingsService,
    },
    throttle::{ThrottleLimit, ThrottlePolicy},
};
use tenantry_http::{AppState, AuthMode, HttpMetrics, MetricsEndpoint, TrustedProxies};
use tenantry_mail::{FileMailer, LogMailer, SmtpMailer};
use tenantry_objects::{ObjectEventStore, open_object_store};
use tenantry_sql::{
    SqlAgentReportStore, SqlApiKeyStore, SqlConversationStore, SqlDatabase, SqlIdentityStore,
    SqlLoginThrottle, SqlOrgStore, SqlRemoteDeletionQueue, SqlSandboxStore, SqlSecretStore, SqlUnitOfWork,
};

use crate::{
    background::TokioBackground,
    config::{AuthModeConfig, Config, MailTransport, absolute},
    metrics::{MeteredEventStore, PoolGauges},
};

/// Every service, plus the purger the server runs in the background and the metrics registry.
pub struct Wired {
    /// What handlers use.
    pub state: AppState,
    /// Deletes event objects of deleted conversations and orgs.
    pub purger: EventPurger,
    /// Request metrics and the `/metrics` endpoint.
    pub metrics: (HttpMetrics, MetricsEndpoint),
}

/// Builds every service over `database` and the configured adapters.
pub async fn build_state(config: &Config, database: &SqlDatabase) -> anyhow::Result<Wired> {
    let registry = Registry::new();
    let events: Arc<dyn EventStore> = Arc::new(MeteredEventStore::register(
        &registry,
        Arc::new(open_event_store(config)?),
    )?);
    let metrics = (
        HttpMetrics::register(&registry)?,
        MetricsEndpoint {
            refresh: Arc::new(PoolGauges::register(
                &registry,
                database.clone(),
                config.database.max_connections,
            )?),
            registry,
        },
    );
    let readiness = ReadinessService::new(vec![
        Arc::new(database.clone()) as Arc<dyn Probe>,
        events.clone() as Arc<dyn Probe>,
    ]);
    let conversation_store = Arc::new(SqlConversationStore::new(database.clone()));
    let purger = EventPurger::new(conversation_store.clone(), events.clone());
    let org_store = Arc::new(SqlOrgStore::new(database.clone()));
    let secret_tokens = Arc::new(RandomSecretTokens);
    let mailer = mailer(config)?;
    let unit_of_work: Arc<dyn UnitOfWork> = Arc::new(SqlUnitOfWork::new(database.clone()));
    let users = Arc::new(SqlIdentityStore::new(database.clone()));
    let identity = identity_service(config, database, users.clone(), mailer.clone())?;
    let orgs = OrgService::new(
        OrgPorts {
            orgs: org_store.clone(),
            directory: org_store.clone(),
            audit: org_store.clone(),
            unit_of_work: unit_of_work.clone(),
            credentials: users.clone(),
            secret_tokens,
            mailer,
            clock: Arc::new(SystemClock),
            purger: purger.clone(),
        },
        OrgSettings {
            invitation_ttl: Duration::from_secs(config.orgs.invitation_ttl_secs),
            public_url: public_url(config),
            joining: JoiningPolicy {
                require_verified_email: config.orgs.require_verified_email,
            },
        },
    );
    let auth_mode = match config.auth.mode {
        AuthModeConfig::Password => AuthMode::Password,
        AuthModeConfig::None => {
            let user = identity
                .ensure_local_user()
                .await
                .context("cannot create the local user")?;
            tracing::warn!(user = %user.email, "authentication is off (auth.mode = none): every request acts as the local user");
            AuthMode::None { user_id: user.id }
        }
    };
    let conversations = ConversationService::new(ConversationPorts {
        conversations: conversation_store.clone(),
        event_index: conversation_store.clone(),
        unit_of_work: unit_of_work.clone(),
        orgs: org_store.clone(),
        events: events.clone(),
        purger: purger.clone(),
        clock: Arc::new(SystemClock),
    });
    let cipher: Arc<dyn SecretCipher> = Arc::new(key_ring(config)?);
    let secret_store = Arc::new(SqlSecretStore::new(database.clone()));
    let sandboxes = SandboxService::new(
        SandboxPorts {
            sandboxes: Arc::new(SqlSandboxStore::new(database.clone())),
            reports: Arc::new(SqlAgentReportStore::new(database.clone())),
            events: events.clone(),
            unit_of_work,
            orgs: org_store.clone(),
            users: users.clone(),
            secret_tokens: Arc::new(RandomSecretTokens),
            cipher: cipher.clone(),
            secrets: secret_store.clone(),
            clock: Arc::new(SystemClock),
        },
        &public_url(config),
    );
    let settings = SettingsService::new(SettingsPorts {
        settings: secret_store.clone(),
        secrets: secret_store.clone(),
        cipher: cipher.clone(),
        orgs: org_store.clone(),
        clock: Arc::new(SystemClock),
    });
    let agent_runs = AgentRunService::new(
        AgentRunPorts {
            agents: Arc::new(HttpAgentServer::new(Duration::from_secs(
                config.agents.request_timeout_secs,
            ))),
            policy: Arc::new(AllowAllConversations),
            reports: Arc::new(SqlAgentReportStore::new(database.clone())),
            secrets: secret_store.clone(),
            orgs: org_store.clone(),
            remote_deletions: Arc::new(SqlRemoteDeletionQueue::new(database.clone())),
            clock: Arc::new(SystemClock),
        },
        conversations.clone(),
        settings.clone(),
        sandboxes.clone(),
        &config.agents.working_dir,
    );
    let secrets = secret_service(database, cipher, org_store.clone(), conversation_store);
    let api_keys = ApiKeyService::new(ApiKeyPorts {
        keys: Arc::new(SqlApiKeyStore::new(database.clone())),
        format: Arc::new(TntApiKeys),
        orgs: org_store,
        users,
        clock: Arc::new(SystemClock),
    });
    Ok(Wired {
        state: AppState {
            readiness,
            identity,
            orgs,
            conversations,
            settings,
            secrets,
            api_keys,
            sandboxes,
            agent_runs,
            auth_mode,
            trusted_proxies: TrustedProxies::parse(config.http.trusted_proxies.iter().map(String::as_str))
                .map_err(|error| anyhow::anyhow!("http.trusted_proxies: {error}"))?,
        },
        purger,
        metrics,
    })
}

/// The secrets service on its own (the `keys` commands need only this).
pub fn secret_service(
    database: &SqlDatabase,
    cipher: Arc<dyn SecretCipher>,
    org_store: Arc<SqlOrgStore>,
    conversation_store: Arc<SqlConversationStore>,
) -> SecretService {
    SecretService::new(SecretPorts {
        secrets: Arc::new(SqlSecretStore::new(database.clone())),
        cipher,
        orgs: org_store.clone(),
        conversations: conversation_store,
        audit: org_store,
        clock: Arc::new(SystemClock),
    })
}

/// The key ring path used when keys are not configured.
pub fn key_ring_path(config: &Config) -> PathBuf {
    absolute(&config.data_dir).join("keys/secrets.json")
}

/// The secrets key ring: from configuration, or the key ring file (created with a warning).
pub fn key_ring(config: &Config) -> anyhow::Result<KeyRing> {
    let secrets = &config.secrets;
    if secrets.configured() {
        let keys = secrets.keys.as_deref().unwrap_or_default();
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

fn public_url(config: &Config) -> String {
    config.auth.public_url.trim_end_matches('/').to_owned()
}

fn identity_service(
    config: &Config,
    database: &SqlDatabase,
    store: Arc<SqlIdentityStore>,
    mailer: Arc<dyn Mailer>,
) -> anyhow::Result<IdentityService> {
    let auth = &config.auth;
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let hasher = Argon2Hasher::new(Argon2Settings {
        memory_kib: auth.argon2.memory_kib,
        iterations: auth.argon2.iterations,
        parallelism: auth.argon2.parallelism,
        max_concurrent: if auth.argon2.max_concurrent == 0 {
            cores
        } else {
            auth.argon2.max_concurrent
        },
    })?;
    let access_tokens = JwtAccessTokens::new(JwtSettings {
        secret: jwt_secret(config)?,
        issuer: auth.issuer.clone(),
        audience: auth.audience.clone(),
        ttl: Duration::from_secs(auth.access_ttl_secs),
        leeway: Duration::from_secs(auth.jwt_leeway_secs),
    })?;
    let ports = IdentityPorts {
        accounts: store.clone(),
        credentials: store.clone(),
        sessions: store.clone(),
        one_time_tokens: store,
        hasher: Arc::new(hasher),
        access_tokens: Arc::new(access_tokens),
        secret_tokens: Arc::new(RandomSecretTokens),
        mailer,
        throttle: Arc::new(SqlLoginThrottle::new(database.clone())),
        clock: Arc::new(SystemClock),
        background: Arc::new(TokioBackground),
    };
    let throttle = &auth.throttle;
    let limit = |max_failures| ThrottleLimit {
        max_failures,
        window: Duration::from_secs(throttle.window_secs),
        lockout: Duration::from_secs(throttle.lockout_secs),
    };
    const HOUR: Duration = Duration::from_secs(3600);
    let hourly = |max_failures| ThrottleLimit {
        max_failures,
        window: HOUR,
        lockout: HOUR,
    };
    let settings = IdentitySettings {
        refresh_ttl: Duration::from_secs(auth.refresh_ttl_secs),
        verification_ttl: Duration::from_secs(auth.verification_ttl_secs),
        reset_ttl: Duration::from_secs(auth.reset_ttl_secs),
        throttle: ThrottlePolicy {
            per_account: limit(throttle.account_max_failures),
            per_address: limit(throttle.address_max_failures),
        },
        reset_mails_per_account: hourly(throttle.reset_mails_per_account_per_hour),
        mail_requests_per_address: hourly(throttle.reset_requests_per_address_per_hour),
        public_url: public_url(config),
    };
    Ok(IdentityService::new(ports, settings))
}

fn jwt_secret(config: &Config) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = config
        .auth
        .jwt_secret
        .as_deref()
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
                .as_deref()
                .context("mail.transport = smtp needs mail.smtp_url")?;
            Arc::new(SmtpMailer::new(url, mail.from.clone())?)
        }
    })
}

fn open_event_store(config: &Config) -> anyhow::Result<ObjectEventStore> {
    let store = open_object_store(&config.storage_url(), &config.storage.s3_options())?;
    Ok(ObjectEventStore::new(store))
}

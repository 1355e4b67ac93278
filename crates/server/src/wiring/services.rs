use std::{sync::Arc, time::Duration};

use anyhow::Context;
use tenantry_domain::{
    Role,
    clock::SystemClock,
    identity::operator_access::FreshSignIn,
    invitation_acceptance::JoiningPolicy,
    org_policy::EmailDomain,
    orgs::default_org::{DefaultOrg, default_join_role},
    ports::{ExportSink, SecretCipher},
    rate_limit::RateLimits,
    services::{
        AdminPorts, AdminService, AgentRunPorts, AgentRunService, ApiKeyPorts, ApiKeyService, BillingPorts,
        BillingService, BudgetPorts, BudgetService, ConversationPorts, ConversationService, EventPurger,
        ExportPorts, ExportService, IdentityPorts, IdentityService, IdentitySettings, ImportPorts,
        ImportService, OperatorPorts, OperatorService, OrgPorts, OrgService, OrgSettings, OrphanSweep,
        RateLimitService, ReadinessService, RetentionService, SandboxPorts, SandboxRuntimeSetup,
        SandboxService, SecretPorts, SecretService, SettingsPorts, SettingsService, SsoPorts, SsoService,
        SsoSettings, SweepService,
    },
    sso::{ProviderKey, ProviderSettings, SsoProvider, parse_issuer},
    throttle::{ThrottleLimit, ThrottlePolicy},
};
use tenantry_http::{AppState, AuthMode, ExportSinkFactory, StreamLimits, TrustedProxies};
use tenantry_porting::ArchiveSink;
use tenantry_sql::{SqlConversationStore, SqlDatabase, SqlOrgStore, SqlSecretStore};

use super::Adapters;
use crate::config::{AuthModeConfig, Config, PaymentProviderKind};

/// Every service, plus the purger the server runs in the background.
pub struct Wired {
    /// What handlers use.
    pub state: AppState,
    /// Deletes event objects of deleted conversations and orgs.
    pub purger: EventPurger,
    /// Deletes conversations idle beyond their org's retention.
    pub retention: RetentionService,
    /// Imports from other stores (the command line).
    pub import: ImportService,
    /// Deletes spent and expired single-use rows.
    pub sweeps: SweepService,
    /// Deletes event batches no segment points to.
    pub orphans: OrphanSweep,
}

/// Builds every service over `adapters`, with the settings of `config`.
pub async fn build_services(config: &Config, adapters: Adapters) -> anyhow::Result<Wired> {
    let a = adapters;
    let purger = EventPurger::new(a.purge_queue.clone(), a.event_store.clone());
    let retention = RetentionService::new(
        a.retention.clone(),
        a.clock.clone(),
        a.signals.clone(),
        purger.clone(),
    );
    let orgs = OrgService::new(
        OrgPorts {
            orgs: a.orgs.clone(),
            directory: a.member_directory.clone(),
            audit: a.audit_log.clone(),
            unit_of_work: a.unit_of_work.clone(),
            credentials: a.credentials.clone(),
            secret_tokens: a.secret_tokens.clone(),
            mailer: a.mailer.clone(),
            clock: a.clock.clone(),
            purger: purger.clone(),
            signals: a.signals.clone(),
        },
        OrgSettings {
            invitation_ttl: Duration::from_secs(config.orgs.invitation_ttl_secs),
            public_url: public_url(config),
            joining: JoiningPolicy {
                require_verified_email: config.orgs.require_verified_email,
            },
        },
    );
    // The role is checked before anything is created.
    let default_role = default_join_role(config.orgs.default_role)
        .map_err(|error| anyhow::anyhow!("orgs.default_role: {error:?}"))?;
    let default_org = match &config.orgs.default_org {
        Some(name) => Some(DefaultOrg {
            id: orgs
                .ensure_default_org(name)
                .await
                .context("cannot set up the default org (orgs.default_org)")?,
            role: default_role,
            joining: JoiningPolicy {
                require_verified_email: config.orgs.require_verified_email,
            },
        }),
        None => None,
    };
    let identity = identity_service(config, &a, default_org);
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
    let budgets = BudgetService::new(
        BudgetPorts {
            store: a.spend.clone(),
            orgs: a.orgs.clone(),
            directory: a.member_directory.clone(),
            mailer: a.mailer.clone(),
            audit: a.audit_log.clone(),
            clock: a.clock.clone(),
        },
        &public_url(config),
    );
    let conversations = ConversationService::new(ConversationPorts {
        conversations: a.conversations.clone(),
        event_index: a.event_index.clone(),
        unit_of_work: a.unit_of_work.clone(),
        orgs: a.orgs.clone(),
        events: a.event_store.clone(),
        purger: purger.clone(),
        clock: a.clock.clone(),
        signals: a.signals.clone(),
        shares: a.shares.clone(),
        tickets: a.stream_tickets.clone(),
        secret_tokens: a.secret_tokens.clone(),
        start_policy: Arc::new(budgets.clone()),
        spend: Arc::new(budgets.clone()),
        session_reads: a.session_reads.clone(),
    });
    let sandboxes = SandboxService::new(
        SandboxPorts {
            sandboxes: a.sandboxes.clone(),
            events: a.event_store.clone(),
            unit_of_work: a.unit_of_work.clone(),
            signals: a.signals.clone(),
            orgs: a.orgs.clone(),
            users: a.accounts.clone(),
            secret_tokens: a.secret_tokens.clone(),
            cipher: a.cipher.clone(),
            secrets: a.secrets.clone(),
            agents: a.agent_server.clone(),
            clock: a.clock.clone(),
            spend: Arc::new(budgets.clone()),
        },
        &public_url(config),
        config.agents.outbound_policy(),
    );
    let sandboxes = match &a.sandbox_runtime {
        Some(runtime) => sandboxes.with_runtime(sandbox_runtime_setup(config, runtime.clone())?),
        None => sandboxes,
    };
    let settings = SettingsService::new(SettingsPorts {
        settings: a.settings.clone(),
        secrets: a.secrets.clone(),
        cipher: a.cipher.clone(),
        orgs: a.orgs.clone(),
        clock: a.clock.clone(),
    });
    let agent_runs = AgentRunService::new(
        AgentRunPorts {
            agents: a.agent_server.clone(),
            policy: Arc::new(budgets.clone()),
            secrets: a.secrets.clone(),
            orgs: a.orgs.clone(),
            remote_deletions: a.remote_deletions.clone(),
            clock: a.clock.clone(),
        },
        conversations.clone(),
        settings.clone(),
        sandboxes.clone(),
        &config.agents.working_dir,
    );
    let secrets = SecretService::new(SecretPorts {
        secrets: a.secrets.clone(),
        cipher: a.cipher.clone(),
        orgs: a.orgs.clone(),
        conversations: a.conversations.clone(),
        audit: a.audit_log.clone(),
        clock: a.clock.clone(),
    });
    let api_keys = ApiKeyService::new(ApiKeyPorts {
        keys: a.api_keys.clone(),
        format: a.api_key_format.clone(),
        orgs: a.orgs.clone(),
        users: a.accounts.clone(),
        clock: a.clock.clone(),
        signals: a.signals.clone(),
    });
    let export = ExportService::new(ExportPorts {
        orgs: a.orgs.clone(),
        directory: a.member_directory.clone(),
        settings: a.settings.clone(),
        audit: a.audit_log.clone(),
        conversations: conversations.clone(),
        accounts: a.accounts.clone(),
    });
    let import = ImportService::new(ImportPorts {
        conversations: conversations.clone(),
        settings: settings.clone(),
        secrets: secrets.clone(),
        directory: a.member_directory.clone(),
    });
    let sso = sso_service(config, &a, identity.clone())?;
    let operators = OperatorService::new(
        AdminService::new(
            identity.clone(),
            AdminPorts {
                accounts: a.accounts.clone(),
                credentials: a.credentials.clone(),
                unit_of_work: a.unit_of_work.clone(),
                clock: a.clock.clone(),
                signals: a.signals.clone(),
            },
        ),
        OperatorPorts {
            reads: a.operator_reads.clone(),
            sessions: a.sessions.clone(),
            accounts: a.accounts.clone(),
            clock: a.clock.clone(),
        },
        FreshSignIn(Duration::from_secs(config.auth.operator_fresh_sign_in_secs)),
    );
    let export_sink: ExportSinkFactory = Arc::new(|chunks| {
        let sink: Box<dyn ExportSink> = Box::new(ArchiveSink::new(chunks)?);
        Ok(sink)
    });
    Ok(Wired {
        state: AppState {
            readiness: ReadinessService::new(a.probes.clone()),
            identity,
            orgs,
            conversations,
            settings: settings.clone(),
            secrets,
            api_keys: api_keys.clone(),
            llm_profiles: tenantry_domain::services::LlmProfileService::new(
                tenantry_domain::services::LlmProfilePorts {
                    profiles: a.llm_profiles.clone(),
                    secrets: a.secrets.clone(),
                    cipher: a.cipher.clone(),
                    orgs: a.orgs.clone(),
                    clock: a.clock.clone(),
                },
                settings.clone(),
            ),
            device_flow: tenantry_domain::services::DeviceFlowService::new(
                tenantry_domain::services::DeviceFlowPorts {
                    authorizations: a.device_authorizations.clone(),
                    secret_tokens: a.secret_tokens.clone(),
                    accounts: a.accounts.clone(),
                    orgs: a.orgs.clone(),
                    clock: a.clock.clone(),
                },
                api_keys.clone(),
            ),
            conversation_starts: tenantry_domain::services::ConversationStartService::new(
                tenantry_domain::services::ConversationStartPorts {
                    tasks: a.start_tasks.clone(),
                    orgs: a.orgs.clone(),
                    background: a.background.clone(),
                    clock: a.clock.clone(),
                },
                agent_runs.clone(),
                sandboxes.clone(),
            ),
            sandboxes,
            agent_runs,
            export,
            budgets,
            rate_limits: RateLimitService::new(
                a.request_counters.clone(),
                a.orgs.clone(),
                RateLimits {
                    per_key: config.rate_limits.per_key,
                    per_user: config.rate_limits.per_user,
                    per_org: config.rate_limits.per_org,
                    per_sandbox: config.rate_limits.per_sandbox,
                },
                a.clock.clone(),
            ),
            billing: BillingService::new(BillingPorts {
                store: a.billing.clone(),
                payments: a.payments.clone(),
                orgs: a.orgs.clone(),
                clock: a.clock.clone(),
            }),
            sso,
            operators,
            export_sink,
            auth_mode,
            billing_enabled: config.billing.provider != PaymentProviderKind::None,
            trusted_proxies: TrustedProxies::parse(config.http.trusted_proxies.iter().map(String::as_str))
                .map_err(|error| anyhow::anyhow!("http.trusted_proxies: {error}"))?,
            streams: StreamLimits::new(
                config.streams.max_per_user,
                config.streams.max_per_shared_conversation,
                config.streams.max_shared_per_creator,
                Duration::from_secs(config.streams.heartbeat_secs.max(1)),
            ),
            public_url: public_url(config),
        },
        purger,
        retention,
        import,
        sweeps: SweepService::new(a.expired_rows.clone(), a.clock.clone()),
        orphans: OrphanSweep::new(
            a.event_store.clone(),
            a.event_index.clone(),
            a.clock.clone(),
            chrono::Duration::seconds(i64::try_from(config.storage.orphan_grace_secs).unwrap_or(i64::MAX)),
        ),
    })
}

/// The secrets service on SQL alone (the `keys` commands need only this).
pub fn secret_service(database: &SqlDatabase, cipher: Arc<dyn SecretCipher>) -> SecretService {
    let orgs = Arc::new(SqlOrgStore::new(database.clone()));
    SecretService::new(SecretPorts {
        secrets: Arc::new(SqlSecretStore::new(database.clone())),
        cipher,
        orgs: orgs.clone(),
        conversations: Arc::new(SqlConversationStore::new(database.clone())),
        audit: orgs,
        clock: Arc::new(SystemClock),
    })
}

/// Single sign-on, with the install's providers from `[auth.oidc]` (checked at start).
fn sso_service(config: &Config, a: &Adapters, identity: IdentityService) -> anyhow::Result<SsoService> {
    let oidc = &config.auth.oidc;
    let mut install_providers = Vec::with_capacity(oidc.providers.len());
    for provider in &oidc.providers {
        let key = match ProviderKey::parse(&provider.name) {
            Ok(ProviderKey::Install(name)) => ProviderKey::Install(name),
            _ => anyhow::bail!(
                "auth.oidc.providers: name {:?} must be letters, digits, - or _ (and not an org id)",
                provider.name
            ),
        };
        let issuer = parse_issuer(&provider.issuer).map_err(|_| {
            anyhow::anyhow!(
                "auth.oidc.providers.{}: issuer must be an https URL",
                provider.name
            )
        })?;
        let allowed_domains = EmailDomain::parse_list(&provider.allowed_domains, "allowed_domains")
            .map_err(|_| anyhow::anyhow!("auth.oidc.providers.{}: allowed_domains", provider.name))?;
        install_providers.push(SsoProvider {
            key,
            settings: ProviderSettings {
                issuer,
                client_id: provider.client_id.clone(),
                client_secret: provider.client_secret.clone(),
            },
            allowed_domains,
            default_role: Role::Viewer,
        });
    }
    Ok(SsoService::new(
        SsoPorts {
            sso: a.sso.clone(),
            oidc: a.oidc.clone(),
            orgs: a.orgs.clone(),
            unit_of_work: a.unit_of_work.clone(),
            credentials: a.credentials.clone(),
            cipher: a.cipher.clone(),
            secret_tokens: a.secret_tokens.clone(),
            domain_verifier: a.domain_verifier.clone(),
            clock: a.clock.clone(),
        },
        SsoSettings {
            public_url: public_url(config),
            install_providers,
            redirect_allow_list: oidc.redirect_allow_list.clone(),
        },
        identity,
    ))
}

/// The public URL: the configured one, the one [`crate::application::Application`] derived from the
/// address it listens on, or, for commands that listen nowhere, the one `bind` would give.
fn public_url(config: &Config) -> String {
    let listening = config
        .bind
        .parse()
        .unwrap_or_else(|_| std::net::SocketAddr::from(([127, 0, 0, 1], 8080)));
    crate::public_url::public_url(config.auth.public_url.as_deref(), listening).url
}

fn identity_service(config: &Config, a: &Adapters, default_org: Option<DefaultOrg>) -> IdentityService {
    let throttle = &config.auth.throttle;
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
    let auth = &config.auth;
    IdentityService::new(
        IdentityPorts {
            accounts: a.accounts.clone(),
            unit_of_work: a.unit_of_work.clone(),
            credentials: a.credentials.clone(),
            sessions: a.sessions.clone(),
            one_time_tokens: a.one_time_tokens.clone(),
            hasher: a.password_hasher.clone(),
            access_tokens: a.access_tokens.clone(),
            secret_tokens: a.secret_tokens.clone(),
            mailer: a.mailer.clone(),
            throttle: a.login_throttle.clone(),
            clock: a.clock.clone(),
            background: a.background.clone(),
            signals: a.signals.clone(),
            mfa: a.mfa.clone(),
            totp: a.totp.clone(),
            cipher: a.cipher.clone(),
        },
        IdentitySettings {
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
            default_org,
        },
    )
}

/// The sandbox runtime's settings: specs, limits, timeouts.
fn sandbox_runtime_setup(
    config: &Config,
    runtime: Arc<dyn tenantry_domain::ports::SandboxRuntime>,
) -> anyhow::Result<SandboxRuntimeSetup> {
    use tenantry_domain::{
        sandbox_limits::SandboxLimits,
        sandbox_spec::{SandboxSpec, SandboxSpecs},
    };
    let sandboxes = &config.sandboxes;
    let specs = sandboxes
        .specs
        .iter()
        .map(|spec| SandboxSpec {
            id: spec.id.clone(),
            command: spec.command.clone(),
            working_dir: spec.working_dir.clone(),
            initial_env: spec.initial_env.clone(),
        })
        .collect();
    Ok(SandboxRuntimeSetup {
        runtime,
        specs: SandboxSpecs::new(specs, &sandboxes.default_spec).map_err(anyhow::Error::msg)?,
        limits: SandboxLimits {
            per_org: sandboxes.max_running_per_org,
            per_user: sandboxes.max_running_per_user,
        },
        idle_timeout: (sandboxes.idle_timeout_secs > 0).then(|| {
            chrono::Duration::seconds(i64::try_from(sandboxes.idle_timeout_secs).unwrap_or(i64::MAX))
        }),
        start_timeout: Duration::from_secs(sandboxes.start_timeout_secs.max(1)),
    })
}

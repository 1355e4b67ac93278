//! The HTTP server around the wired services: listener, workers, graceful shutdown.

use std::{net::TcpListener, sync::Arc, time::Duration};

use actix_web::{App, HttpServer, dev::Server, middleware};
use anyhow::Context;
use prometheus::Registry;
use tenantry_http::{BodyReading, HttpMetrics, HttpOptions, MetricsEndpoint, StreamLimits};
use tenantry_sql::{DatabaseOptions, SqlDatabase};

use tenantry_domain::services::{
    AgentRunService, EventPurger, IdentityService, OrphanSweep, RetentionService, SsoService, SweepService,
};

use crate::{
    config::{Config, absolute},
    metrics::PoolGauges,
    wiring::{Adapters, Wired, build_services},
};

/// A built server, bound to its port, not yet running.
pub struct Application {
    server: Server,
    port: u16,
    public_url: String,
    database: SqlDatabase,
    stop_purging: tokio::sync::watch::Sender<bool>,
    metrics_server: Option<Server>,
    streams: StreamLimits,
}

impl Application {
    /// Opens the database (applying pending migrations), the object store, and binds the listener.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with(config, |_| {}).await
    }

    /// As [`Application::build`], letting `swap` replace adapters first: the production adapters
    /// are chosen by [`Adapters::sql`], and whatever `swap` puts in their place is what the
    /// services run on.
    pub async fn build_with(mut config: Config, swap: impl FnOnce(&mut Adapters)) -> anyhow::Result<Self> {
        crate::startup_checks::check(&config)?;
        // Bound first: an unset public URL is the address actually listened on (port 0 included).
        let listener =
            TcpListener::bind(&config.bind).with_context(|| format!("cannot listen on {}", config.bind))?;
        let listening = listener.local_addr()?;
        let public = crate::public_url::public_url(config.auth.public_url.as_deref(), listening);
        if let Some(warning) = &public.warning {
            tracing::warn!("{warning}");
        }
        config.auth.public_url = Some(public.url.clone());
        let data_dir = absolute(&config.data_dir);
        create_private_dir(&data_dir)?;

        let database = open_database(&config).await?;
        let applied = database.migrate_up().await.context("cannot apply migrations")?;
        if applied > 0 {
            tracing::info!(applied, "applied pending migrations");
        }
        let registry = Registry::new();
        let metrics = (
            HttpMetrics::register(&registry)?,
            MetricsEndpoint {
                refresh: Arc::new(PoolGauges::register(&registry, database.clone())?),
                registry: registry.clone(),
            },
        );
        let mut adapters = Adapters::sql(&config, &database, &registry)?;
        swap(&mut adapters);
        let Wired {
            mut state,
            purger,
            retention,
            sweeps,
            orphans,
            ..
        } = build_services(&config, adapters).await?;
        // Stream bounds hold across instances: slots are leases in the shared database.
        let lease_secs = match config.streams.lease_secs {
            0 => tenantry_domain::stream_cap::DEFAULT_LEASE_SECS,
            secs => secs,
        };
        state.streams = state.streams.clone().counted_across_instances(
            Arc::new(tenantry_sql::SqlStreamLeases::new(&database)),
            Duration::from_secs(lease_secs),
        );
        let (stop_purging, purging_stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(sweep_throttles_periodically(
            state.identity.clone(),
            state.sso.clone(),
            Duration::from_secs(config.auth.throttle.sweep_interval_secs.max(1)),
            purging_stopped.clone(),
        ));
        tokio::spawn(sweep_expired_rows_periodically(
            sweeps,
            Duration::from_secs(config.storage.sweep_interval_secs.max(1)),
            purging_stopped.clone(),
        ));
        tokio::spawn(sweep_orphan_batches_periodically(
            orphans,
            Duration::from_secs(config.storage.orphan_sweep_interval_secs.max(1)),
            purging_stopped.clone(),
        ));
        tokio::spawn(expire_periodically(
            retention,
            Duration::from_secs(config.storage.retention_interval_secs.max(1)),
            purging_stopped.clone(),
        ));
        tokio::spawn(supervise_sandboxes_periodically(
            state.sandboxes.clone(),
            Duration::from_millis(config.sandboxes.supervise_interval_ms.max(50)),
            purging_stopped.clone(),
        ));
        tokio::spawn(purge_periodically(
            purger,
            state.agent_runs.clone(),
            Duration::from_secs(config.storage.purge_interval_secs.max(1)),
            purging_stopped,
        ));
        tracing::info!(
            data_dir = %data_dir.display(),
            database = %redact_url(&config.database_url()),
            storage = %redact_url(&config.storage_url()),
            "data locations"
        );

        let options = HttpOptions {
            hsts: config.http.hsts,
            body_limit_bytes: config.http.body_limit_bytes,
            events_body_limit_bytes: config.http.events_body_limit_bytes,
            metrics_on_main: config.http.metrics_bind.is_none(),
        };
        let metrics_server = match &config.http.metrics_bind {
            Some(address) => Some(metrics_server(address, metrics.1.clone(), &config)?),
            None => None,
        };

        let port = listening.port();
        let streams = state.streams.clone();
        let body_reading = actix_web::web::Data::new(BodyReading::new(
            Duration::from_secs(config.http.body_timeout_secs.max(1)),
            config.http.max_bodies_in_flight,
        ));
        let deadline = actix_web::web::Data::new(config.request_deadline());
        let body_budget = actix_web::web::Data::new(tenantry_http::BodyBudget::new(
            config.http.max_buffered_body_bytes,
            config
                .http
                .body_limit_bytes
                .max(config.http.events_body_limit_bytes),
        ));
        let report_slots = actix_web::web::Data::new(tenantry_http::ReportSlots::new(
            config.report_slots(),
            Duration::from_millis(config.database.acquire_timeout_ms),
        ));
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(deadline.clone())
                .app_data(report_slots.clone())
                .app_data(body_budget.clone())
                .wrap(middleware::from_fn(tenantry_http::request_deadline))
                .wrap(middleware::from_fn(tenantry_http::body_budget))
                .app_data(body_reading.clone())
                .wrap(middleware::from_fn(tenantry_http::body_deadline))
                .wrap(middleware::NormalizePath::trim())
                .wrap(tenantry_http::security_headers(options.hsts))
                .wrap(middleware::from_fn(tenantry_http::rate_limit_headers))
                .wrap(middleware::from_fn(tenantry_http::observe))
                .configure(tenantry_http::configure(state.clone(), options, metrics.clone()))
        })
        .shutdown_timeout(config.http.shutdown_timeout_secs)
        // Signals are ours: streams must end before the graceful stop waits for them.
        .disable_signals()
        .listen(listener)?;
        if config.http.workers > 0 {
            server = server.workers(config.http.workers);
        }
        tracing::info!(address = %config.bind, port, "listening");
        tracing::info!("console at {}/", public.url);
        Ok(Self {
            server: server.run(),
            port,
            public_url: public.url,
            database,
            stop_purging,
            metrics_server,
            streams,
        })
    }

    /// The port actually bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Where people and sandboxes reach the server: `auth.public_url`, or the address it listens on.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// A handle to stop the server from elsewhere.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped (SIGTERM finishes in-flight requests first), then closes the pool.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let metrics_handle = self.metrics_server.as_ref().map(Server::handle);
        if let Some(metrics) = self.metrics_server {
            tokio::spawn(metrics);
        }
        tokio::spawn(stop_on_signal(self.server.handle(), self.streams.clone()));
        self.server.await?;
        if let Some(handle) = metrics_handle {
            handle.stop(true).await;
        }
        let _ = self.stop_purging.send(true);
        self.database.close().await.ok();
        tracing::info!("stopped");
        Ok(())
    }
}

/// SIGTERM: ends every open stream at once (each sends `event: end`, so its client resumes on
/// another instance), then stops gracefully, letting other in-flight requests finish within the
/// grace period. SIGINT and SIGQUIT stop at once.
async fn stop_on_signal(server: actix_web::dev::ServerHandle, streams: StreamLimits) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int), Ok(mut quit)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
            signal(SignalKind::quit()),
        ) else {
            tracing::error!("cannot listen for signals");
            return;
        };
        let graceful = tokio::select! {
            _ = term.recv() => true,
            _ = int.recv() => false,
            _ = quit.recv() => false,
        };
        tracing::info!(graceful, "stopping: ending open streams");
        streams.close_all();
        server.stop(graceful).await;
    }
    #[cfg(not(unix))]
    {
        if tokio::signal::ctrl_c().await.is_ok() {
            streams.close_all();
            server.stop(false).await;
        }
    }
}

/// A one-worker server for `/metrics` alone, on its own address.
fn metrics_server(address: &str, endpoint: MetricsEndpoint, config: &Config) -> anyhow::Result<Server> {
    let listener =
        TcpListener::bind(address).with_context(|| format!("cannot listen on {address} for metrics"))?;
    let hsts = config.http.hsts;
    tracing::info!(%address, "metrics listening");
    Ok(HttpServer::new(move || {
        App::new()
            .wrap(tenantry_http::security_headers(hsts))
            .configure(tenantry_http::configure_metrics_only(endpoint.clone()))
    })
    .workers(1)
    .shutdown_timeout(config.http.shutdown_timeout_secs)
    .listen(listener)?
    .run())
}

/// Deletes throttle counters that no longer matter, and single sign-ons started and never finished,
/// every `interval`, until told to stop.
async fn sweep_throttles_periodically(
    identity: IdentityService,
    sso: SsoService,
    interval: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(interval);
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                match identity.sweep_throttles().await {
                    Ok(0) => {}
                    Ok(swept) => tracing::debug!(swept, "deleted expired throttle counters"),
                    Err(error) => tracing::warn!(%error, "throttle sweep failed; will retry"),
                }
                if let Err(error) = sso.sweep().await {
                    tracing::warn!(%error, "sweep of abandoned single sign-ons failed; will retry");
                }
            }
            _ = stop.changed() => return,
        }
    }
}

/// Supervises the sandboxes Tenantry runs at start (what vanished meanwhile is `MISSING`, what no
/// record claims is removed) and then every `interval`, until told to stop.
async fn supervise_sandboxes_periodically(
    sandboxes: tenantry_domain::services::SandboxService,
    interval: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    use tenantry_domain::sandbox_lifecycle::ObservedWhen;
    if !sandboxes.runs_sandboxes() {
        return;
    }
    let mut when = ObservedWhen::AtStart;
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                match sandboxes.supervise(when).await {
                    Ok(0) => {}
                    Ok(changed) => tracing::info!(changed, "sandboxes supervised"),
                    Err(error) => {
                        tracing::warn!(%error, "sandbox supervision failed; will retry");
                        continue;
                    }
                }
                when = ObservedWhen::Running;
            }
            _ = stop.changed() => return,
        }
    }
}

/// Purges deleted events, and retries the deletions agent servers still owe, at start and then every
/// `interval`, until told to stop.
async fn purge_periodically(
    purger: EventPurger,
    agent_runs: AgentRunService,
    interval: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(interval);
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                match purger.purge_pending().await {
                    Ok(0) => {}
                    Ok(purged) => tracing::info!(purged, "purged event objects of deleted conversations and orgs"),
                    Err(error) => tracing::warn!(%error, "event purge failed; will retry"),
                }
                match agent_runs.retry_remote_deletions().await {
                    Ok(0) => {}
                    Ok(done) => tracing::info!(done, "deleted conversations on agent servers that were down"),
                    Err(error) => tracing::warn!(%error, "retrying deletions on agent servers failed; will retry"),
                }
            }
            _ = stop.changed() => return,
        }
    }
}

/// Deletes spent and expired one-time tokens and stream tickets every `interval`, until told to
/// stop.
async fn sweep_expired_rows_periodically(
    sweeps: SweepService,
    interval: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(interval);
    loop {
        tokio::select! {
            _ = ticks.tick() => match sweeps.sweep().await {
                Ok(0) => {}
                Ok(swept) => tracing::debug!(swept, "deleted spent and expired single-use rows"),
                Err(error) => tracing::warn!(%error, "sweep of single-use rows failed; will retry"),
            },
            _ = stop.changed() => return,
        }
    }
}

/// Deletes event batches no segment points to every `interval`, until told to stop.
async fn sweep_orphan_batches_periodically(
    orphans: OrphanSweep,
    interval: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(interval);
    loop {
        tokio::select! {
            _ = ticks.tick() => match orphans.sweep().await {
                Ok(0) => {}
                Ok(deleted) => tracing::info!(deleted, "deleted event batches no segment points to"),
                Err(error) => tracing::warn!(%error, "sweep of orphaned event batches failed; will retry"),
            },
            _ = stop.changed() => return,
        }
    }
}

async fn expire_periodically(
    retention: RetentionService,
    interval: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(interval);
    loop {
        tokio::select! {
            _ = ticks.tick() => match retention.sweep().await {
                Ok(0) => {}
                Ok(expired) => tracing::info!(expired, "deleted conversations idle beyond their org's retention"),
                Err(error) => tracing::warn!(%error, "retention sweep failed; will retry"),
            },
            _ = stop.changed() => return,
        }
    }
}

/// Opens the configured database without migrating it.
pub async fn open_database(config: &Config) -> anyhow::Result<SqlDatabase> {
    let url = config.database_url();
    let options = DatabaseOptions {
        url: url.clone(),
        max_connections: config.database.max_connections,
        min_connections: config.database.min_connections,
        acquire_timeout: Duration::from_millis(config.database.acquire_timeout_ms),
        sqlite_busy_timeout: Duration::from_millis(config.database.sqlite_busy_timeout_ms),
        sqlite_max_size_bytes: config.database.sqlite_max_size_bytes,
        statement_timeout: Duration::from_millis(config.database.statement_timeout_ms),
        lock_timeout: Duration::from_millis(config.database.lock_timeout_ms),
    };
    if url.starts_with("sqlite:") {
        create_private_dir(&absolute(&config.data_dir))?;
    }
    SqlDatabase::connect(&options)
        .await
        .with_context(|| format!("cannot open database {}", redact_url(&url)))
}

/// Creates the data directory readable by its owner only (keys, database, mail outbox live there), and
/// takes group and world access away from an existing one.
pub fn create_private_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .with_context(|| format!("cannot create data directory {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode & 0o700))
                .with_context(|| format!("cannot restrict data directory {}", dir.display()))?;
            tracing::info!(dir = %dir.display(), "data directory made private to its owner (was {mode:o})");
        }
    }
    Ok(())
}

/// A URL with any password replaced, fit for logs.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("redacted"));
            url.to_string()
        }
        _ => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_in_urls() {
        assert_eq!(
            redact_url("postgres://app:hunter2@db:5432/tenantry"),
            "postgres://app:redacted@db:5432/tenantry"
        );
        assert_eq!(redact_url("sqlite:///data/t.db"), "sqlite:///data/t.db");
    }
}

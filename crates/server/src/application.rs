//! Wiring: configuration → adapters → services → HTTP. The one place where adapters are chosen.

use std::{net::TcpListener, sync::Arc, time::Duration};

use actix_web::{App, HttpServer, dev::Server, middleware};
use anyhow::Context;
use tenantry_domain::{ports::Probe, services::ReadinessService};
use tenantry_http::{AppState, HttpOptions};
use tenantry_objects::{ObjectEventStore, S3Options, open_object_store};
use tenantry_sql::{DatabaseOptions, SqlDatabase};

use crate::config::{Config, absolute};

/// A built server, bound to its port, not yet running.
pub struct Application {
    server: Server,
    port: u16,
    database: SqlDatabase,
}

impl Application {
    /// Opens the database (applying pending migrations), the object store, and binds the listener.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let data_dir = absolute(&config.data_dir);
        std::fs::create_dir_all(&data_dir)
            .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;

        let database = open_database(&config).await?;
        let applied = database.migrate_up().await.context("cannot apply migrations")?;
        if applied > 0 {
            tracing::info!(applied, "applied pending migrations");
        }
        let events = Arc::new(open_event_store(&config)?);
        tracing::info!(
            data_dir = %data_dir.display(),
            database = %redact_url(&config.database_url()),
            storage = %redact_url(&config.storage_url()),
            "data locations"
        );

        let state = AppState {
            readiness: ReadinessService::new(vec![
                Arc::new(database.clone()) as Arc<dyn Probe>,
                events.clone() as Arc<dyn Probe>,
            ]),
        };
        let options = HttpOptions {
            body_limit_bytes: config.http.body_limit_bytes,
        };

        let listener =
            TcpListener::bind(&config.bind).with_context(|| format!("cannot listen on {}", config.bind))?;
        let port = listener.local_addr()?.port();
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(middleware::NormalizePath::trim())
                .configure(tenantry_http::configure(state.clone(), options))
        })
        .shutdown_timeout(config.http.shutdown_timeout_secs)
        .listen(listener)?;
        if config.http.workers > 0 {
            server = server.workers(config.http.workers);
        }
        tracing::info!(address = %config.bind, port, "listening");
        Ok(Self {
            server: server.run(),
            port,
            database,
        })
    }

    /// The port actually bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server from elsewhere.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped (SIGTERM finishes in-flight requests first), then closes the pool.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.server.await?;
        self.database.close().await.ok();
        tracing::info!("stopped");
        Ok(())
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
    };
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(absolute(&config.data_dir))?;
    }
    SqlDatabase::connect(&options)
        .await
        .with_context(|| format!("cannot open database {}", redact_url(&url)))
}

fn open_event_store(config: &Config) -> anyhow::Result<ObjectEventStore> {
    let storage = &config.storage;
    let s3 = S3Options {
        endpoint: storage.s3_endpoint.clone(),
        region: storage.s3_region.clone(),
        access_key_id: storage.s3_access_key_id.clone(),
        secret_access_key: storage.s3_secret_access_key.clone(),
        path_style: storage.s3_path_style,
        request_timeout: Duration::from_millis(storage.request_timeout_ms),
        max_retries: storage.max_retries,
    };
    let store = open_object_store(&config.storage_url(), &s3)?;
    Ok(ObjectEventStore::new(store))
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

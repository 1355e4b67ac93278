//! The server under test: a release `tenantry serve` child process on a fresh database.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::Context;
use sea_orm::{ConnectionTrait, Database};
use tempfile::TempDir;

/// A fresh database for one bench run (a PostgreSQL one is dropped by [`BenchDatabase::drop_database`]).
pub struct BenchDatabase {
    /// What the server connects to.
    pub url: String,
    /// Whether it is PostgreSQL.
    pub postgres: bool,
    /// Holds the SQLite file and the server's data directory.
    pub dir: TempDir,
    admin_url: String,
}

/// Rate limits the server runs with unless the bench's environment sets them: high enough that no
/// request is refused.
const RATE_LIMITS: [(&str, &str); 3] = [
    ("TENANTRY_RATE_LIMITS_PER_KEY", "1000000000"),
    ("TENANTRY_RATE_LIMITS_PER_USER", "1000000000"),
    ("TENANTRY_RATE_LIMITS_PER_ORG", "1000000000"),
];

impl BenchDatabase {
    /// A new SQLite file, or a new database on the PostgreSQL server `admin_url` names.
    pub async fn create(postgres: bool, admin_url: &str) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let url = if postgres {
            let name = format!("tenantry_bench_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(admin_url)
                .await
                .context("connect to PostgreSQL")?;
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await?;
            admin.close().await.ok();
            let mut url = url::Url::parse(admin_url)?;
            url.set_path(&name);
            url.to_string()
        } else {
            format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display())
        };
        Ok(Self {
            url,
            postgres,
            dir,
            admin_url: admin_url.to_owned(),
        })
    }

    /// Drops the PostgreSQL database of the run (SQLite files go with the temp dir).
    pub async fn drop_database(&self) -> anyhow::Result<()> {
        if self.postgres {
            let name = url::Url::parse(&self.url)?
                .path()
                .trim_start_matches('/')
                .to_owned();
            let admin = Database::connect(&self.admin_url).await?;
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await?;
            admin.close().await.ok();
        }
        Ok(())
    }

    /// `sqlite` or `postgres`.
    pub fn kind(&self) -> &'static str {
        if self.postgres { "PostgreSQL" } else { "SQLite" }
    }
}

/// A running server.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Milliseconds from spawn to `/readyz` answering 200.
    pub ready_ms: u128,
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = exe.with_file_name("tenantry");
    anyhow::ensure!(
        path.exists(),
        "{} not found: build it with `cargo build --release -p tenantry`",
        path.display()
    );
    Ok(path)
}

/// A memory figure of process `pid` from `/proc/<pid>/status` (`VmRSS:`, `VmHWM:`), in KiB; 0 when
/// the process is gone.
pub fn process_status_kib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0)
}

/// `tenantry` for a command-line run against the bench's database and data directory.
pub fn cli_command(database: &BenchDatabase) -> anyhow::Result<Command> {
    let mut command = Command::new(binary()?);
    command
        .current_dir(database.dir.path())
        .env("DATABASE_URL", &database.url)
        .env("TENANTRY_DATA_DIR", database.dir.path().join("data"))
        .env("TENANTRY_LOG_LEVEL", "warn");
    Ok(command)
}

impl Server {
    /// Starts the server and waits until it is ready.
    pub async fn start(database: &BenchDatabase) -> anyhow::Result<Self> {
        let port = free_port()?;
        let started = Instant::now();
        let child = Command::new(binary()?)
            .arg("serve")
            .current_dir(database.dir.path())
            .env("DATABASE_URL", &database.url)
            .env("TENANTRY_BIND", format!("127.0.0.1:{port}"))
            // Where the sandboxes it starts send their webhooks.
            .env("TENANTRY_AUTH_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
            .env("TENANTRY_DATA_DIR", database.dir.path().join("data"))
            .env("TENANTRY_LOG_LEVEL", "warn")
            .env("TENANTRY_AUTH_THROTTLE_ACCOUNT_MAX_FAILURES", "1000000")
            .env("TENANTRY_AUTH_THROTTLE_ADDRESS_MAX_FAILURES", "1000000")
            .env("TENANTRY_STREAMS_MAX_PER_USER", "100000")
            // Sandboxes start with the agent server's virtualenv when there is one; unlimited, never
            // paused for idleness, so the capacity figure finds the machine's limit.
            .envs(
                crate::agent_start::agent_python()
                    .map(|python| ("TENANTRY_SANDBOXES_PROCESS_PYTHON", python.into_os_string())),
            )
            .env("TENANTRY_SANDBOXES_MAX_RUNNING_PER_ORG", "0")
            .env("TENANTRY_SANDBOXES_MAX_RUNNING_PER_USER", "0")
            .env("TENANTRY_SANDBOXES_IDLE_TIMEOUT_SECS", "0")
            // Every request is counted and none refused, so the figures include the limiter's cost;
            // set these to 0 in the bench's environment to measure without it.
            .envs(
                RATE_LIMITS
                    .iter()
                    .filter(|(name, _)| std::env::var_os(name).is_none())
                    .copied(),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("start tenantry")?;
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        loop {
            if let Ok(response) = client.get(format!("{base}/readyz")).send().await
                && response.status() == 200
            {
                break;
            }
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(60),
                "server did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok(Self {
            child,
            base,
            ready_ms: started.elapsed().as_millis(),
        })
    }

    /// Resident memory of the server now, in MiB (`VmRSS`).
    pub fn current_rss_mib(&self) -> f64 {
        self.status_kib("VmRSS:") / 1024.0
    }

    fn status_kib(&self, field: &str) -> f64 {
        process_status_kib(self.child.id(), field)
    }

    /// Peak resident memory of the server so far, in MiB (`VmHWM`).
    pub fn peak_rss_mib(&self) -> f64 {
        self.status_kib("VmHWM:") / 1024.0
    }

    /// Stops this server, starts another on the same database and returns its readiness time.
    pub async fn restart_ready_ms(&self, database: &BenchDatabase) -> anyhow::Result<u128> {
        let other = Server::start(database).await?;
        let ready = other.ready_ms;
        other.stop();
        Ok(ready)
    }

    /// Stops this server and starts a new one on the same database.
    pub async fn into_restarted(self, database: &BenchDatabase) -> anyhow::Result<Server> {
        self.stop();
        Server::start(database).await
    }

    /// Stops the server.
    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    /// A bench that fails half-way leaves no server behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

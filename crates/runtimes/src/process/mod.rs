//! Agent servers as supervised local processes: `python -m openhands.agent_server` on a free
//! loopback port, one directory per sandbox (mode 0700) holding its workspace, its conversations and
//! its log, started with an environment built from nothing (no variable of Tenantry's own).
//!
//! Each process leads a process group of its own; stopping it signals the group, then every
//! process still carrying the sandbox's marker variable (a terminal's tmux server leaves the group).
//! A state file beside the workspace names the process, so processes left running by an earlier
//! Tenantry are adopted again when it starts.

mod launch;
mod liveness;
mod state;

use std::{
    collections::HashMap,
    path::PathBuf,
    sync::Mutex,
    time::{Duration, Instant},
};

use async_trait::async_trait;
use tenantry_domain::{
    ports::{AGENT_SERVER, ExposedUrl, RuntimeFailure, SandboxLaunch, SandboxRuntime},
    sandbox_lifecycle::RuntimeObservation,
};
use uuid::Uuid;

use self::{liveness::Liveness, state::ProcessState};

/// How the process runtime runs agent servers.
#[derive(Debug, Clone)]
pub struct ProcessRuntimeConfig {
    /// The Python interpreter with `openhands-agent-server` installed.
    pub python: PathBuf,
    /// Where each sandbox gets its directory.
    pub root: PathBuf,
    /// How long a stopped agent server may take to exit before it is killed.
    pub stop_grace: Duration,
}

/// A process this runtime runs (or adopted).
#[derive(Debug, Clone, Copy)]
struct Running {
    pid: u32,
    port: u16,
    /// Started by this process (rather than adopted from an earlier run).
    own_child: bool,
}

impl Running {
    fn liveness(self, sandbox: Uuid) -> Liveness {
        if self.own_child {
            Liveness::child(self.pid, sandbox)
        } else {
            Liveness::adopted(self.pid, sandbox)
        }
    }
}

/// The process runtime.
pub struct ProcessRuntime {
    config: ProcessRuntimeConfig,
    running: Mutex<HashMap<Uuid, Running>>,
    health: reqwest::Client,
}

impl std::fmt::Debug for ProcessRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessRuntime")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn failure(context: &str, error: impl std::fmt::Display) -> RuntimeFailure {
    RuntimeFailure(format!("{context}: {error}"))
}

impl ProcessRuntime {
    /// The runtime over `config.root` (created when missing), adopting the agent servers an earlier
    /// run left there that still run.
    pub fn new(config: ProcessRuntimeConfig) -> Result<Self, RuntimeFailure> {
        launch::private_dir(&config.root).map_err(|error| failure("sandbox root", error))?;
        let health = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| failure("HTTP client", error))?;
        let runtime = Self {
            config,
            running: Mutex::default(),
            health,
        };
        for id in runtime
            .held_ids()
            .map_err(|error| failure("sandbox root", error))?
        {
            let dir = runtime.dir(id);
            match ProcessState::read(&dir) {
                Some(state) if Liveness::adopted(state.pid, id).alive() => {
                    tracing::info!(sandbox = %id, pid = state.pid, "adopted a running agent server");
                    runtime.track(
                        id,
                        Running {
                            pid: state.pid,
                            port: state.port,
                            own_child: false,
                        },
                    );
                }
                Some(_) => ProcessState::clear(&dir),
                None => {}
            }
        }
        Ok(runtime)
    }

    fn dir(&self, id: Uuid) -> PathBuf {
        self.config.root.join(id.to_string())
    }

    fn held_ids(&self) -> std::io::Result<Vec<Uuid>> {
        let mut ids = Vec::new();
        let entries = match std::fs::read_dir(&self.config.root) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(ids),
            entries => entries?,
        };
        for entry in entries {
            let entry = entry?;
            if let Some(id) = entry
                .file_name()
                .to_str()
                .and_then(|name| Uuid::parse_str(name).ok())
            {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Running>> {
        self.running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn track(&self, id: Uuid, running: Running) {
        self.running().insert(id, running);
    }

    /// The sandbox's process, if it still runs.
    fn live(&self, id: Uuid) -> Option<Running> {
        let running = self.running().get(&id).copied()?;
        running.liveness(id).alive().then_some(running)
    }

    fn exposed(running: Running) -> Vec<ExposedUrl> {
        vec![ExposedUrl {
            name: AGENT_SERVER.into(),
            url: format!("http://127.0.0.1:{}", running.port),
            port: running.port,
        }]
    }

    async fn answers(&self, running: Running) -> bool {
        let url = format!("http://127.0.0.1:{}/alive", running.port);
        matches!(self.health.get(url).send().await, Ok(response) if response.status().is_success())
    }
}

#[async_trait]
impl SandboxRuntime for ProcessRuntime {
    async fn start(&self, launch: &SandboxLaunch) -> Result<Vec<ExposedUrl>, RuntimeFailure> {
        let id = launch.sandbox_id;
        if let Some(running) = self.live(id) {
            return Ok(Self::exposed(running));
        }
        let dir = self.dir(id);
        let (pid, port) = launch::spawn(&self.config.python, &dir, launch)?;
        ProcessState { pid, port }
            .write(&dir)
            .map_err(|error| failure("state file", error))?;
        let running = Running {
            pid,
            port,
            own_child: true,
        };
        self.track(id, running);
        tracing::info!(sandbox = %id, pid, port, "started an agent server");
        Ok(Self::exposed(running))
    }

    async fn observe(&self, sandbox: Uuid) -> RuntimeObservation {
        match self.live(sandbox) {
            None => RuntimeObservation::Gone,
            Some(running) if self.answers(running).await => RuntimeObservation::Answering,
            Some(_) => RuntimeObservation::Silent,
        }
    }

    async fn await_answering(&self, sandbox: Uuid, within: Duration) -> RuntimeObservation {
        let deadline = Instant::now() + within;
        loop {
            let seen = self.observe(sandbox).await;
            if seen != RuntimeObservation::Silent || Instant::now() >= deadline {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn exposed_urls(&self, sandbox: Uuid) -> Vec<ExposedUrl> {
        self.live(sandbox).map(Self::exposed).unwrap_or_default()
    }

    async fn stop(&self, sandbox: Uuid) -> Result<(), RuntimeFailure> {
        let tracked = self.running().remove(&sandbox);
        let grace = self.config.stop_grace;
        let dir = self.dir(sandbox);
        tokio::task::spawn_blocking(move || {
            if let Some(running) = tracked {
                liveness::stop_group(running.pid, running.liveness(sandbox), grace);
            }
            liveness::kill_marked(sandbox);
            ProcessState::clear(&dir);
        })
        .await
        .map_err(|error| failure("stop", error))?;
        Ok(())
    }

    async fn remove(&self, sandbox: Uuid) -> Result<(), RuntimeFailure> {
        self.stop(sandbox).await?;
        let dir = self.dir(sandbox);
        let tmux = launch::tmux_dir(sandbox);
        tokio::task::spawn_blocking(move || {
            let _ = std::fs::remove_dir_all(&tmux);
            match std::fs::remove_dir_all(&dir) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
                _ => Ok(()),
            }
        })
        .await
        .map_err(|error| failure("remove", error))?
        .map_err(|error| failure("remove the workspace", error))
    }

    async fn list(&self) -> Result<Vec<Uuid>, RuntimeFailure> {
        self.held_ids().map_err(|error| failure("sandbox root", error))
    }
}

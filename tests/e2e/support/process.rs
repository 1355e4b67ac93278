//! The real `tenantry` binary as a child process, for what only a process can show
//! (starting in an empty directory, signals, several instances).

use std::{
    net::TcpListener,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// A `tenantry serve` child process; killed when dropped.
pub struct ServerProcess {
    /// The child.
    pub child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("free port")
        .port()
}

/// The `tenantry` binary with a clean environment: no `TENANTRY_*` or `DATABASE_URL` leaks in.
pub fn tenantry_command(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tenantry"));
    command.current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("TENANTRY_") || key == "DATABASE_URL" || key == "RUST_LOG" {
            command.env_remove(key);
        }
    }
    command
}

impl ServerProcess {
    /// Runs `tenantry serve` in `dir` with `envs` and waits until `/healthz` answers.
    pub async fn start(dir: &Path, envs: &[(&str, &str)]) -> Self {
        let port = free_port();
        let mut command = tenantry_command(dir);
        command
            .arg("serve")
            .env("TENANTRY_BIND", format!("127.0.0.1:{port}"))
            .env("TENANTRY_HTTP_WORKERS", "1")
            .envs(envs.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(dir.join("tenantry.log")).expect("log file"),
            ));
        let child = command.spawn().expect("spawn tenantry");
        let process = Self { child, port };
        process.wait_until_healthy().await;
        process
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    async fn wait_until_healthy(&self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(response) = client.get(self.url("/healthz")).send().await
                && response.status() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("tenantry did not become healthy on port {}", self.port);
    }

    /// Everything the server logged so far (its stderr, kept in `tenantry.log` in its directory).
    pub fn log(dir: &Path) -> String {
        std::fs::read_to_string(dir.join("tenantry.log")).unwrap_or_default()
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// Waits for the process to exit, up to `timeout`.
    pub async fn wait_for_exit(&mut self, timeout: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "tenantry did not exit in time");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! Starting one agent server: its directory, its environment (built from nothing), its command.

use std::{
    net::{Ipv4Addr, TcpListener},
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::Stdio,
};

use tenantry_domain::ports::{RuntimeFailure, SandboxLaunch};
use uuid::Uuid;

use super::liveness::MARKER;

/// Creates `dir` (and its parents) readable by this user only.
pub(super) fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

/// Where the sandbox's terminals keep their tmux sockets: short, because a socket path is limited
/// to about 100 bytes.
pub(super) fn tmux_dir(sandbox: Uuid) -> PathBuf {
    std::env::temp_dir().join(format!("tenantry-tmux-{}", &sandbox.simple().to_string()[..16]))
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?.port())
}

fn failed(context: &str, error: impl std::fmt::Display) -> RuntimeFailure {
    RuntimeFailure(format!("{context}: {error}"))
}

/// The system directories a shell in the sandbox finds its tools in, after the interpreter's own.
const SYSTEM_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// Starts the agent server of `launch` in `dir`; its process id and port. The process leads a new
/// process group and outlives this one (it is adopted again after a restart); a task reaps it when
/// it exits while this process runs.
pub(super) fn spawn(python: &Path, dir: &Path, launch: &SandboxLaunch) -> Result<(u32, u16), RuntimeFailure> {
    let workspace = dir.join(&launch.spec.working_dir);
    let tmux = tmux_dir(launch.sandbox_id);
    for directory in [dir, &workspace, &dir.join("home"), &tmux] {
        private_dir(directory).map_err(|error| failed("sandbox directory", error))?;
    }
    let port = free_port().map_err(|error| failed("free port", error))?;
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("agent-server.log"))
        .map_err(|error| failed("log file", error))?;
    let (program, arguments): (PathBuf, Vec<String>) = match launch.spec.command.split_first() {
        Some((program, arguments)) => (program.into(), arguments.to_vec()),
        None => (
            python.to_owned(),
            vec!["-m".into(), "openhands.agent_server".into()],
        ),
    };
    let interpreter_bin = python.parent().map(Path::to_owned).unwrap_or_default();
    let mut command = tokio::process::Command::new(program);
    command
        .args(arguments)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .current_dir(dir)
        .env_clear()
        .env("PATH", format!("{}:{SYSTEM_PATH}", interpreter_bin.display()))
        .env("HOME", dir.join("home"))
        .env("LANG", "C.UTF-8")
        .env("TMUX_TMPDIR", &tmux)
        .env("OH_ENABLE_VSCODE", "false")
        .env("OH_WEBHOOKS_0_FLUSH_DELAY", "1")
        .env("OH_WEBHOOKS_0_EVENT_BUFFER_SIZE", "20")
        .env("OPENHANDS_SUPPRESS_BANNER", "1")
        .envs(&launch.spec.initial_env)
        .env(MARKER, launch.sandbox_id.to_string())
        .env("OH_SESSION_API_KEYS_0", launch.session_key.expose())
        .env("OH_SECRET_KEY", launch.agent_secret_key.expose())
        .env("OH_WEBHOOKS_0_BASE_URL", &launch.webhook_base_url)
        .env("OH_CONVERSATIONS_PATH", dir.join("conversations"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .process_group(0);
    let mut child = command
        .spawn()
        .map_err(|error| failed("start the agent server", error))?;
    let pid = child
        .id()
        .ok_or_else(|| failed("start the agent server", "it exited at once"))?;
    tokio::spawn(async move {
        let _ = child.wait().await;
    });
    Ok((pid, port))
}

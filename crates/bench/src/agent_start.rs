//! What Tenantry adds to starting a conversation: the same start, `n` times each, through Tenantry
//! (`POST /api/orgs/{org}/conversations {sandbox_id, …}`) and straight at the agent server, in
//! alternation; the figures are the median and p99 of the pairwise differences.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::Context;
use serde_json::{Value, json};

use crate::seed::Fixture;

/// A running `python -m openhands.agent_server`, killed when dropped.
struct AgentServer {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for AgentServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The terminal tool's tmux servers outlive the agent server: end those under its directory.
        let sockets = std::fs::read_dir(self._dir.path().join("tmux"))
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .flat_map(|user| {
                std::fs::read_dir(user.path())
                    .into_iter()
                    .flatten()
                    .filter_map(Result::ok)
            });
        for socket in sockets {
            let _ = Command::new("tmux")
                .arg("-S")
                .arg(socket.path())
                .arg("kill-server")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// The agent server's Python: `TENANTRY_BENCH_AGENT_PYTHON`, else the virtualenv `.ci/run` builds.
pub fn agent_python() -> Option<PathBuf> {
    std::env::var_os("TENANTRY_BENCH_AGENT_PYTHON")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|home| PathBuf::from(home).join(".cache/tenantry/agent-venv/bin/python"))
        })
        .filter(|python| python.is_file())
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

async fn start_agent(python: &PathBuf, port: u16, key: &str, webhooks: &str) -> anyhow::Result<AgentServer> {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir_all(dir.path().join("home"))?;
    std::fs::create_dir_all(dir.path().join("tmux"))?;
    let child = Command::new(python)
        .args(["-m", "openhands.agent_server", "--host", "127.0.0.1", "--port"])
        .arg(port.to_string())
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path().join("home"))
        .env("TMUX_TMPDIR", dir.path().join("tmux"))
        .env("OH_SESSION_API_KEYS_0", key)
        .env("OH_WEBHOOKS_0_BASE_URL", webhooks)
        .env("OH_ENABLE_VSCODE", "false")
        .env("OH_PRELOAD_TOOLS", "false")
        .env("OH_ENABLE_BROWSER", "false")
        .env("OH_CONVERSATIONS_PATH", dir.path().join("conversations"))
        .env("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("start the agent server")?;
    let server = AgentServer {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if let Ok(response) = reqwest::get(format!("{}/ready", server.url)).await
            && response.status().is_success()
        {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    anyhow::bail!("the agent server did not become ready")
}

async fn timed(request: reqwest::RequestBuilder) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let response = request.send().await?;
    let status = response.status();
    let _ = response.bytes().await;
    anyhow::ensure!(status.is_success(), "start answered {status}");
    Ok(started.elapsed())
}

/// An OpenAI-compatible endpoint answering every request at once with a short reply, so the agent
/// runs the starts set off end quickly; returns its base URL.
pub(crate) async fn fake_llm() -> anyhow::Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 65536];
                // Read the head, then as many body bytes as Content-Length says.
                loop {
                    let Ok(read) = stream.read(&mut buffer).await else {
                        return;
                    };
                    if read == 0 {
                        return;
                    }
                    request.extend_from_slice(&buffer[..read]);
                    let text = String::from_utf8_lossy(&request);
                    if let Some(head_end) = text.find("\r\n\r\n") {
                        let length = text[..head_end]
                            .lines()
                            .find_map(|line| {
                                let (name, value) = line.split_once(':')?;
                                name.eq_ignore_ascii_case("content-length")
                                    .then(|| value.trim().parse::<usize>().ok())?
                            })
                            .unwrap_or(0);
                        if request.len() >= head_end + 4 + length {
                            break;
                        }
                    }
                }
                let body = json!({
                    "id": "chatcmpl-bench", "object": "chat.completion", "created": 1, "model": "none",
                    "choices": [{ "index": 0, "message": { "role": "assistant", "content": "ok" }, "finish_reason": "stop" }],
                    "usage": { "prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11 }
                })
                .to_string();
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
            });
        }
    });
    Ok(format!("http://127.0.0.1:{port}/v1"))
}

/// Median and p99 of `overheads`, in milliseconds.
pub(crate) fn quantiles(mut overheads: Vec<f64>) -> (f64, f64) {
    overheads.sort_by(f64::total_cmp);
    let at = |q: f64| overheads[((overheads.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.99))
}

/// Starts `n` conversations each way and prints what Tenantry adds.
pub async fn measure(
    client: &reqwest::Client,
    base: &str,
    fixture: &Fixture,
    n: usize,
) -> anyhow::Result<()> {
    let Some(python) = agent_python() else {
        println!("agent start: not measured (no openhands-agent-server; run .ci/run once)");
        return Ok(());
    };
    let org = &fixture.org;
    let port = free_port()?;
    let created: Value = client
        .post(format!("{base}/api/orgs/{org}/sandboxes"))
        .bearer_auth(&fixture.token)
        .json(&json!({ "name": "bench driven", "url": format!("http://127.0.0.1:{port}") }))
        .send()
        .await?
        .json()
        .await?;
    let sandbox = created["id"].as_str().context("sandbox")?.to_owned();
    let key = created["session_api_key"].as_str().context("key")?.to_owned();
    // The runs each start sets off answer at once; only the start is timed.
    let llm = fake_llm().await?;
    client
        .patch(format!("{base}/api/orgs/{org}/settings"))
        .bearer_auth(&fixture.token)
        .json(&json!({ "llm_model": "openai/none", "llm_base_url": llm, "llm_api_key": "sk-bench" }))
        .send()
        .await?
        .error_for_status()?;
    let agent = start_agent(&python, port, &key, &format!("{base}/api/v1/webhooks")).await?;
    let direct_body = |n: usize| {
        json!({
            "agent": {
                "kind": "Agent",
                "llm": { "model": "openai/none", "base_url": llm, "api_key": "sk-bench", "usage_id": "agent" },
                "tools": [{ "name": "terminal" }, { "name": "file_editor" }, { "name": "task_tracker" }]
            },
            "workspace": { "working_dir": "workspace/project" },
            "initial_message": { "role": "user", "content": [{ "type": "text", "text": format!("start {n}") }] },
            "confirmation_policy": { "kind": "NeverConfirm" },
            "secrets": {}
        })
    };
    let mut overheads = Vec::with_capacity(n);
    for i in 0..n {
        let direct = timed(
            client
                .post(format!("{}/api/conversations", agent.url))
                .header("X-Session-API-Key", &key)
                .json(&direct_body(i)),
        )
        .await?;
        let through = timed(
            client
                .post(format!("{base}/api/orgs/{org}/conversations"))
                .bearer_auth(&fixture.token)
                .json(&json!({ "sandbox_id": sandbox, "initial_message": format!("start {i}") })),
        )
        .await?;
        overheads.push((through.as_secs_f64() - direct.as_secs_f64()) * 1000.0);
    }
    let (median, p99) = quantiles(overheads);
    println!("agent start through Tenantry vs direct ({n} each): median +{median:.1} ms, p99 +{p99:.1} ms");
    Ok(())
}

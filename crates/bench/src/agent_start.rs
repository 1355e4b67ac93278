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
    let child = Command::new(python)
        .args(["-m", "openhands.agent_server", "--host", "127.0.0.1", "--port"])
        .arg(port.to_string())
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path().join("home"))
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

/// Median and p99 of `overheads`, in milliseconds.
fn quantiles(mut overheads: Vec<f64>) -> (f64, f64) {
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
    // The runs that follow each start try an LLM that is not there and stop; only the start counts.
    client
        .patch(format!("{base}/api/orgs/{org}/settings"))
        .bearer_auth(&fixture.token)
        .json(&json!({ "llm_model": "openai/none", "llm_base_url": "http://127.0.0.1:9/v1", "llm_api_key": "sk-bench" }))
        .send()
        .await?
        .error_for_status()?;
    let agent = start_agent(&python, port, &key, &format!("{base}/api/v1/webhooks")).await?;
    let direct_body = |n: usize| {
        json!({
            "agent": {
                "kind": "Agent",
                "llm": { "model": "openai/none", "base_url": "http://127.0.0.1:9/v1", "api_key": "sk-bench", "usage_id": "agent" },
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

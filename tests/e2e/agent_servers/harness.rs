//! What the tests with the real agent server share: the virtualenv's Python, a fake
//! OpenAI-compatible LLM, the agent server as a child process, and polling helpers.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, dev::ServerHandle, web};
use serde_json::{Value, json};

use super::all_events;
use crate::support::{Session, TestApp, free_port};

/// Per-token prices the agent's LLM is configured with.
pub const INPUT_COST: f64 = 0.000_001;
pub const OUTPUT_COST: f64 = 0.000_002;
/// Usage the fake LLM reports for every call.
pub const PROMPT_TOKENS: i64 = 100;
pub const COMPLETION_TOKENS: i64 = 20;
pub const LLM_KEY: &str = "sk-fake-llm-key";

/// The virtualenv's Python, if the agent server is installed.
pub fn agent_python() -> Option<PathBuf> {
    let python = std::env::var_os("TENANTRY_TEST_AGENT_PYTHON")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|home| PathBuf::from(home).join(".cache/tenantry/agent-venv/bin/python"))
        })?;
    python.is_file().then_some(python)
}

/// What the fake LLM received: each call's `Authorization` header and body.
type Calls = Arc<Mutex<Vec<(Option<String>, Value)>>>;

/// An OpenAI-compatible chat endpoint that answers every request with a plain message and a fixed
/// `usage`, and records what it received.
pub struct FakeLlm {
    pub base_url: String,
    calls: Calls,
    pub handle: ServerHandle,
}

async fn complete(calls: web::Data<Calls>, req: HttpRequest, body: web::Json<Value>) -> HttpResponse {
    let authorization = req
        .headers()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let n = {
        let mut calls = calls.lock().expect("lock");
        calls.push((authorization, body.0.clone()));
        calls.len()
    };
    HttpResponse::Ok().json(json!({
        "id": format!("chatcmpl-{n}"),
        "object": "chat.completion",
        "created": 1_795_000_000,
        "model": body.get("model").cloned().unwrap_or(json!("fake")),
        "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": format!("Hello from the fake LLM ({n}).") },
            "finish_reason": "stop"
        }],
        "usage": {
            "prompt_tokens": PROMPT_TOKENS,
            "completion_tokens": COMPLETION_TOKENS,
            "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS
        }
    }))
}

impl FakeLlm {
    pub fn start() -> Self {
        let calls = Calls::default();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let shared = calls.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(shared.clone()))
                .app_data(web::JsonConfig::default().limit(16 * 1024 * 1024))
                .route("/v1/chat/completions", web::post().to(complete))
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            base_url: format!("http://127.0.0.1:{port}/v1"),
            calls,
            handle,
        }
    }

    pub fn calls(&self) -> Vec<(Option<String>, Value)> {
        self.calls.lock().expect("lock").clone()
    }
}

/// `python -m openhands.agent_server`, killed when dropped.
pub struct AgentServer {
    child: Child,
    pub url: String,
    key: String,
    _dir: tempfile::TempDir,
}

impl AgentServer {
    pub async fn start(python: &PathBuf, key: &str, webhook_base_url: &str) -> Self {
        Self::start_on(python, free_port(), key, webhook_base_url).await
    }

    /// Starts it on `port` (a sandbox can be registered with its URL before it runs).
    pub async fn start_on(python: &PathBuf, port: u16, key: &str, webhook_base_url: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("home")).expect("home");
        std::fs::create_dir_all(dir.path().join("tmux")).expect("tmux");
        let child = Command::new(python)
            .args(["-m", "openhands.agent_server", "--host", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir.path().join("home"))
            .env("TMUX_TMPDIR", dir.path().join("tmux"))
            .env("OH_SESSION_API_KEYS_0", key)
            .env("OH_WEBHOOKS_0_BASE_URL", webhook_base_url)
            .env("OH_WEBHOOKS_0_EVENT_BUFFER_SIZE", "5")
            .env("OH_WEBHOOKS_0_FLUSH_DELAY", "0.5")
            .env("OH_WEBHOOKS_0_NUM_RETRIES", "1")
            .env("OH_WEBHOOKS_0_RETRY_DELAY", "1")
            .env("OH_ENABLE_VSCODE", "false")
            .env("OH_PRELOAD_TOOLS", "false")
            .env("OH_ENABLE_BROWSER", "false")
            .env("OH_CONVERSATIONS_PATH", dir.path().join("conversations"))
            .env("LITELLM_LOCAL_MODEL_COST_MAP", "True")
            .env("OPENHANDS_SUPPRESS_BANNER", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(dir.path().join("agent-server.log")).expect("log"),
            ))
            .spawn()
            .expect("start the agent server");
        let server = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            key: key.to_owned(),
            _dir: dir,
        };
        server.wait_until_ready().await;
        server
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self._dir.path().join("agent-server.log")).unwrap_or_default()
    }

    async fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            if let Ok(response) = reqwest::get(format!("{}/ready", self.url)).await
                && response.status() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        panic!("the agent server did not become ready:\n{}", self.log());
    }

    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", self.url))
            .header("X-Session-API-Key", &self.key)
            .json(body)
            .send()
            .await
            .expect("agent server request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

impl Drop for AgentServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        end_tmux_servers(self._dir.path());
    }
}

/// The terminal tool's tmux servers detach from the agent server and outlive it: end every one whose
/// socket is under `dir` (the agent server's `TMUX_TMPDIR`).
pub fn end_tmux_servers(dir: &std::path::Path) {
    let Ok(users) = std::fs::read_dir(dir.join("tmux")) else {
        return;
    };
    for sockets in users.filter_map(Result::ok) {
        for socket in std::fs::read_dir(sockets.path())
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
        {
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

/// Polls the conversation until `done` holds for it and its events, or fails after a minute.
pub async fn wait_for(
    app: &TestApp,
    user: &Session,
    id: &str,
    what: &str,
    done: impl Fn(&Value, &[Value]) -> bool,
) -> (Value, Vec<Value>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, conversation) = app.api(&user.access_token).conversation(&user.org_id, &id).await;
        if status == 200 {
            let events = all_events(app, user, &user.org_id, id).await;
            if done(&conversation, &events) {
                return (conversation, events);
            }
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {conversation}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// `(source, text)` of every message event, in order.
pub fn messages(events: &[Value]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|stored| &stored["event"])
        .filter(|event| event["kind"] == "MessageEvent")
        .map(|event| {
            (
                event["source"].as_str().unwrap_or_default().to_owned(),
                event["llm_message"]["content"][0]["text"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

pub fn user_message(text: &str) -> Value {
    json!({ "role": "user", "content": [{ "type": "text", "text": text }] })
}

//! The real OpenHands agent server (openhands-agent-server 1.58.0 from the Python package index)
//! reporting into Tenantry, with a fake OpenAI-compatible LLM inside the test. `.ci/run` builds the
//! virtualenv; on a machine without it the test says so loudly and passes, except under CI.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, dev::ServerHandle, web};
use serde_json::{Value, json};

use super::{PASSWORD, all_events, deliver, register_sandbox};
use crate::support::{Session, TestApp, free_port, spawn_app_with};

/// Per-token prices the agent's LLM is configured with.
const INPUT_COST: f64 = 0.000_001;
const OUTPUT_COST: f64 = 0.000_002;
/// Usage the fake LLM reports for every call.
const PROMPT_TOKENS: i64 = 100;
const COMPLETION_TOKENS: i64 = 20;
const LLM_KEY: &str = "sk-fake-llm-key";

/// The virtualenv's Python, if the agent server is installed.
fn agent_python() -> Option<PathBuf> {
    let python = std::env::var_os("TENANTRY_TEST_AGENT_PYTHON")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|home| PathBuf::from(home).join(".cache/tenantry/agent-venv/bin/python"))
        })?;
    python.is_file().then_some(python)
}

/// An OpenAI-compatible chat endpoint that answers every request with a plain message and a fixed
/// `usage`, and records what it received.
struct FakeLlm {
    base_url: String,
    calls: Arc<Mutex<Vec<(Option<String>, Value)>>>,
    handle: ServerHandle,
}

async fn complete(
    calls: web::Data<Arc<Mutex<Vec<(Option<String>, Value)>>>>,
    req: HttpRequest,
    body: web::Json<Value>,
) -> HttpResponse {
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
    fn start() -> Self {
        let calls: Arc<Mutex<Vec<(Option<String>, Value)>>> = Arc::default();
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

    fn calls(&self) -> Vec<(Option<String>, Value)> {
        self.calls.lock().expect("lock").clone()
    }
}

/// `python -m openhands.agent_server`, killed when dropped.
struct AgentServer {
    child: Child,
    url: String,
    key: String,
    _dir: tempfile::TempDir,
}

impl AgentServer {
    async fn start(python: &PathBuf, key: &str, webhook_base_url: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        std::fs::create_dir_all(dir.path().join("home")).expect("home");
        let child = Command::new(python)
            .args(["-m", "openhands.agent_server", "--host", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir.path().join("home"))
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

    fn log(&self) -> String {
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

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
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
    }
}

/// Polls the conversation until `done` holds for it and its events, or fails after a minute.
async fn wait_for(
    app: &TestApp,
    user: &Session,
    id: &str,
    what: &str,
    done: impl Fn(&Value, &[Value]) -> bool,
) -> (Value, Vec<Value>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, conversation) = app
            .call(
                "GET",
                &user.access_token,
                &format!("/api/orgs/{}/conversations/{id}", user.org_id),
                None,
            )
            .await;
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
fn messages(events: &[Value]) -> Vec<(String, String)> {
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

fn user_message(text: &str) -> Value {
    json!({ "role": "user", "content": [{ "type": "text", "text": text }] })
}

#[tokio::test]
async fn a_real_agent_server_reports_a_run_into_the_right_org() {
    let Some(python) = agent_python() else {
        let message = "openhands-agent-server is not installed (run .ci/run once, or set \
                       TENANTRY_TEST_AGENT_PYTHON): the real agent-server test did NOT run";
        assert!(std::env::var_os("CI").is_none(), "{message}");
        eprintln!("\n\n!!! {message} !!!\n\n");
        return;
    };
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let adjust = |config: &mut tenantry::Config| {
        config.bind = bind.clone();
        config.auth.public_url = format!("http://{bind}");
    };
    let app = spawn_app_with(adjust).await;
    let user = app.register("agent.real@example.com", PASSWORD).await;
    let sandbox = register_sandbox(&app, &user, &user.org_id, "real agent server").await;
    assert_eq!(sandbox.webhook_base_url, format!("http://{bind}/api/v1/webhooks"));
    let llm = FakeLlm::start();
    let agent = AgentServer::start(&python, &sandbox.key, &sandbox.webhook_base_url).await;
    let workspace = tempfile::tempdir().expect("workspace");

    let (status, started) = agent
        .post(
            "/api/conversations",
            &json!({
                "agent": {
                    "kind": "Agent",
                    "llm": {
                        "model": "openai/fake",
                        "base_url": llm.base_url,
                        "api_key": LLM_KEY,
                        "usage_id": "agent",
                        "input_cost_per_token": INPUT_COST,
                        "output_cost_per_token": OUTPUT_COST,
                        "num_retries": 0
                    },
                    "tools": []
                },
                "workspace": { "working_dir": workspace.path() },
                "initial_message": user_message("Say hello."),
                "max_iterations": 5,
                "autotitle": false
            }),
        )
        .await;
    assert!(
        (200..300).contains(&status),
        "start: {status} {started}\n{}",
        agent.log()
    );
    let id = started["id"].as_str().expect("conversation id").to_owned();

    let (conversation, events) = wait_for(&app, &user, &id, "the first run", |conversation, events| {
        conversation["execution_status"] == "finished"
            && messages(events).iter().any(|(source, _)| source == "agent")
    })
    .await;
    assert_eq!(conversation["org_id"], user.org_id.as_str());
    assert_eq!(conversation["created_by"], user.user_id.as_str());
    assert_eq!(conversation["sandbox_id"], sandbox.id.as_str());
    assert_eq!(conversation["llm_model"], "openai/fake");
    let said = messages(&events);
    assert_eq!(said[0], ("user".to_owned(), "Say hello.".to_owned()), "{said:?}");
    assert_eq!(said[1].0, "agent");
    assert!(said[1].1.starts_with("Hello from the fake LLM"), "{said:?}");

    let calls = llm.calls();
    assert!(!calls.is_empty());
    assert!(
        calls
            .iter()
            .all(|(authorization, _)| authorization.as_deref() == Some(&format!("Bearer {LLM_KEY}"))),
        "the LLM got the configured key"
    );
    let usage = |conversation: &Value| {
        (
            conversation["prompt_tokens"].as_i64().expect("prompt"),
            conversation["completion_tokens"].as_i64().expect("completion"),
            conversation["accumulated_cost"].as_f64().expect("cost"),
        )
    };
    let (prompt, completion, cost) = usage(&conversation);
    let n = calls.len() as i64;
    assert_eq!((prompt, completion), (PROMPT_TOKENS * n, COMPLETION_TOKENS * n));
    let expected = prompt as f64 * INPUT_COST + completion as f64 * OUTPUT_COST;
    assert!(
        (cost - expected).abs() < 1e-9,
        "cost {cost}, by the prices {expected}"
    );

    // Tenantry goes away while the agent works; the agent server's retries land after the restart.
    app.stop().await;
    let (status, _) = agent
        .post(
            &format!("/api/conversations/{id}/events"),
            &json!({ "role": "user", "content": [{ "type": "text", "text": "Again." }], "run": true }),
        )
        .await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let restarted = app.start_sibling(adjust).await;
    let (conversation, events) = wait_for(
        &restarted,
        &user,
        &id,
        "the second run",
        |conversation, events| {
            conversation["execution_status"] == "finished"
                && messages(events)
                    .iter()
                    .filter(|(source, _)| source == "agent")
                    .count()
                    == 2
        },
    )
    .await;
    let said = messages(&events);
    assert_eq!(said.len(), 4, "{said:?}");
    assert_eq!(said[2], ("user".to_owned(), "Again.".to_owned()));
    let keys: Vec<&str> = events
        .iter()
        .map(|stored| stored["event"]["id"].as_str().expect("event id"))
        .collect();
    let unique: std::collections::HashSet<&&str> = keys.iter().collect();
    assert_eq!(unique.len(), keys.len(), "nothing delivered twice");
    for (position, stored) in events.iter().enumerate() {
        assert_eq!(stored["id"], position as i64, "dense ids");
    }
    let (prompt, completion, cost) = usage(&conversation);
    let n = llm.calls().len() as i64;
    assert_eq!((prompt, completion), (PROMPT_TOKENS * n, COMPLETION_TOKENS * n));
    assert!((cost - (prompt as f64 * INPUT_COST + completion as f64 * OUTPUT_COST)).abs() < 1e-9);

    // Another org's sandbox cannot write into it; a deleted sandbox's key stops at once.
    let stranger = restarted.register("stranger.real@example.com", PASSWORD).await;
    let foreign = register_sandbox(&restarted, &stranger, &stranger.org_id, "foreign").await;
    let report = json!({ "id": id, "title": "hijacked", "execution_status": "error" });
    assert_eq!(
        deliver(&restarted, Some(&foreign.key), "/conversations", &report)
            .await
            .0,
        404
    );
    let (status, _) = restarted
        .call(
            "DELETE",
            &user.access_token,
            &format!("/api/orgs/{}/sandboxes/{}", user.org_id, sandbox.id),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        deliver(&restarted, Some(&sandbox.key), "/conversations", &report)
            .await
            .0,
        401
    );
    let (_, unchanged) = restarted
        .call(
            "GET",
            &user.access_token,
            &format!("/api/orgs/{}/conversations/{id}", user.org_id),
            None,
        )
        .await;
    assert_eq!(unchanged["execution_status"], "finished");
    assert_ne!(unchanged["title"], "hijacked");
    llm.handle.stop(false).await;
}

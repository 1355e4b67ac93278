//! Sandboxes Tenantry starts itself: real `openhands-agent-server` processes (and, for limits and
//! tenancy, stand-in processes that never answer), supervised through their whole lifecycle.

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use super::{
    PASSWORD,
    harness::{FakeLlm, agent_python, messages, wait_for},
};
use crate::support::{Session, TestApp, free_port, spawn_app_with};

/// Every process that carries the sandbox's marker variable, read from `/proc`.
fn sandbox_processes(sandbox: &str) -> Vec<u32> {
    let marker = format!("TENANTRY_SANDBOX_ID={sandbox}");
    std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| {
                    stat.rsplit_once(')')
                        .map(|(_, rest)| rest.trim_start().starts_with('Z'))
                })
                .unwrap_or(true);
            !zombie
                && std::fs::read(format!("/proc/{pid}/environ"))
                    .is_ok_and(|environ| environ.split(|b| *b == 0).any(|var| var == marker.as_bytes()))
        })
        .collect()
}

/// Kills what the test's sandboxes left running, whatever the test's outcome.
struct Reaper(Vec<String>);

impl Drop for Reaper {
    fn drop(&mut self) {
        for sandbox in &self.0 {
            for pid in sandbox_processes(sandbox) {
                let _ = std::process::Command::new("kill")
                    .args(["-9", &pid.to_string()])
                    .status();
            }
        }
    }
}

/// A spec whose process runs but never answers: for limits and tenancy, without Python.
fn silent_spec() -> tenantry::config::SandboxSpecConfig {
    tenantry::config::SandboxSpecConfig {
        id: "silent".into(),
        command: vec![
            "/bin/sh".into(),
            "-c".into(),
            "exec sleep 600".into(),
            "sh".into(),
        ],
        working_dir: "workspace".into(),
        initial_env: Default::default(),
    }
}

/// An app that starts sandboxes with `python` (the real agent server), reachable by them.
async fn app_running_sandboxes(
    python: Option<PathBuf>,
    adjust: impl FnOnce(&mut tenantry::config::Config),
) -> TestApp {
    let bind = format!("127.0.0.1:{}", free_port());
    let public = format!("http://{bind}");
    spawn_app_with(move |config| {
        config.bind = bind.clone();
        config.auth.public_url = Some(public.clone());
        config.sandboxes.runtime = "process".into();
        config.sandboxes.supervise_interval_ms = 200;
        config.sandboxes.start_timeout_secs = 120;
        config.sandboxes.process.stop_grace_secs = 5;
        if let Some(python) = python {
            config.sandboxes.process.python = python;
        }
        config.sandboxes.specs.push(silent_spec());
        adjust(config);
    })
    .await
}

fn no_agent_server(test: &str) -> bool {
    let message =
        format!("openhands-agent-server is not installed (TENANTRY_TEST_AGENT_PYTHON): {test} did NOT run");
    assert!(std::env::var_os("CI").is_none(), "{message}");
    eprintln!("\n\n!!! {message} !!!\n\n");
    true
}

async fn start_sandbox(app: &TestApp, session: &Session, org: &str, body: Value) -> (u16, Value) {
    app.call(
        "POST",
        &session.access_token,
        &format!("/api/orgs/{org}/sandboxes"),
        Some(body),
    )
    .await
}

async fn sandbox(app: &TestApp, session: &Session, org: &str, id: &str) -> (u16, Value) {
    app.call(
        "GET",
        &session.access_token,
        &format!("/api/orgs/{org}/sandboxes/{id}"),
        None,
    )
    .await
}

async fn act(app: &TestApp, session: &Session, org: &str, id: &str, action: &str) -> (u16, Value) {
    app.call(
        "POST",
        &session.access_token,
        &format!("/api/orgs/{org}/sandboxes/{id}/{action}"),
        None,
    )
    .await
}

async fn wait_status(
    app: &TestApp,
    session: &Session,
    org: &str,
    id: &str,
    status: &str,
    within: Duration,
) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let (code, body) = sandbox(app, session, org, id).await;
        assert_eq!(code, 200, "{body}");
        if body["status"] == status {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "sandbox never became {status}: {body}\n{}",
            log(app, id)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn sandbox_dir(app: &TestApp, id: &str) -> PathBuf {
    app.data_dir.join("sandboxes").join(id)
}

fn log(app: &TestApp, id: &str) -> String {
    std::fs::read_to_string(sandbox_dir(app, id).join("agent-server.log")).unwrap_or_default()
}

async fn audit_actions(app: &TestApp, session: &Session, org: &str, id: &str) -> Vec<String> {
    let (_, log) = app.api(&session.access_token).audit_log(org).await;
    log["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|entry| entry["target_id"] == id)
        .filter_map(|entry| entry["action"].as_str().map(str::to_owned))
        .collect()
}

async fn use_fake_llm(app: &TestApp, owner: &Session, llm: &FakeLlm) {
    let (status, body) = app
        .call(
            "PATCH",
            &owner.access_token,
            &format!("/api/orgs/{}/settings", owner.org_id),
            Some(json!({ "llm_model": "openai/fake", "llm_base_url": llm.base_url, "llm_api_key": "sk-org-fake", "max_iterations": 5 })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

async fn replies(app: &TestApp, user: &Session, conversation: &str, count: usize) -> Vec<Value> {
    wait_for(
        app,
        user,
        conversation,
        "the agent's replies",
        |conversation, events| {
            conversation["execution_status"] == "finished"
                && messages(events)
                    .iter()
                    .filter(|(source, _)| source == "agent")
                    .count()
                    >= count
        },
    )
    .await
    .1
}

const RUNNING_WITHIN: Duration = Duration::from_secs(120);

#[tokio::test]
async fn a_started_sandbox_runs_a_conversation_pauses_resumes_continues_and_is_removed() {
    let Some(python) = agent_python() else {
        no_agent_server("the sandbox lifecycle test");
        return;
    };
    let app = app_running_sandboxes(Some(python), |_| {}).await;
    let owner = app.register("owner.lifecycle@example.com", PASSWORD).await;
    let org = owner.org_id.clone();
    let llm = FakeLlm::start();
    use_fake_llm(&app, &owner, &llm).await;

    let (status, created) = start_sandbox(&app, &owner, &org, json!({})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("id").to_owned();
    let _reaper = Reaper(vec![id.clone()]);
    let key = created["session_api_key"].as_str().expect("key").to_owned();
    assert_eq!(created["status"], "STARTING");
    assert_eq!(created["spec"], "process");

    // Its own directory, private, and an environment holding nothing of Tenantry's.
    let dir = sandbox_dir(&app, &id);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&dir).expect("dir").permissions().mode() & 0o777,
        0o700
    );
    let pids = sandbox_processes(&id);
    assert_eq!(pids.len(), 1, "one agent server process");
    let environ =
        String::from_utf8_lossy(&std::fs::read(format!("/proc/{}/environ", pids[0])).expect("environ"))
            .replace('\0', "\n");
    assert!(environ.contains(&format!("OH_SESSION_API_KEYS_0={key}")));
    assert!(environ.contains("OH_WEBHOOKS_0_BASE_URL=http://127.0.0.1:"));
    let database_url = app.config.database_url();
    for secret in [
        crate::support::TEST_JWT_SECRET.as_str(),
        database_url.as_str(),
        "DATABASE_URL",
        "TENANTRY_TEST",
    ] {
        assert!(
            !environ.contains(secret),
            "the sandbox's environment holds {secret:?}"
        );
    }
    let tenantry_vars: Vec<&str> = environ
        .lines()
        .filter(|var| var.starts_with("TENANTRY_"))
        .collect();
    assert_eq!(tenantry_vars, vec![format!("TENANTRY_SANDBOX_ID={id}").as_str()]);

    let running = wait_status(&app, &owner, &org, &id, "RUNNING", RUNNING_WITHIN).await;
    let exposed = &running["exposed_urls"][0];
    assert_eq!(exposed["name"], "AGENT_SERVER");
    assert!(
        exposed["url"]
            .as_str()
            .expect("url")
            .starts_with("http://127.0.0.1:")
    );
    assert_eq!(running["url"], exposed["url"]);

    // A conversation through Tenantry reaches the fake LLM; its events land by webhook.
    let (status, conversation) = app
        .api(&owner.access_token)
        .create_conversation(&org, json!({ "sandbox_id": id, "initial_message": "Say hello." }))
        .await;
    assert_eq!(status, 201, "{conversation}\n{}", log(&app, &id));
    let conversation = conversation["id"].as_str().expect("id").to_owned();
    replies(&app, &owner, &conversation, 1).await;
    assert!(!llm.calls().is_empty());

    // Pause: the process is gone, the workspace stays.
    let (status, paused) = act(&app, &owner, &org, &id, "pause").await;
    assert_eq!(status, 200, "{paused}");
    assert_eq!(paused["status"], "PAUSED");
    assert_eq!(paused["exposed_urls"], json!([]));
    assert!(
        sandbox_processes(&id).is_empty(),
        "the agent server still runs after a pause"
    );
    assert!(
        dir.join("conversations").is_dir(),
        "the workspace went with the pause"
    );

    // Resume, and a second message continues the same conversation.
    let (status, resumed) = act(&app, &owner, &org, &id, "resume").await;
    assert_eq!(status, 200, "{resumed}");
    assert!(["STARTING", "RUNNING"].contains(&resumed["status"].as_str().unwrap_or_default()));
    wait_status(&app, &owner, &org, &id, "RUNNING", RUNNING_WITHIN).await;
    let (status, body) = app
        .api(&owner.access_token)
        .steer(&org, &conversation, "messages", Some(json!({ "text": "Again." })))
        .await;
    assert_eq!(status, 202, "{body}\n{}", log(&app, &id));
    let events = replies(&app, &owner, &conversation, 2).await;
    let said = messages(&events);
    assert!(
        said.contains(&("user".to_owned(), "Say hello.".to_owned())),
        "{said:?}"
    );
    assert!(
        said.contains(&("user".to_owned(), "Again.".to_owned())),
        "{said:?}"
    );

    // Delete: process and workspace gone, the key fails.
    let (status, _) = app.api(&owner.access_token).delete_sandbox(&org, &id).await;
    assert_eq!(status, 204);
    assert!(
        sandbox_processes(&id).is_empty(),
        "the agent server outlived its sandbox"
    );
    assert!(!dir.exists(), "the workspace outlived its sandbox");
    let (status, _) = super::deliver(&app, Some(&key), "/conversations", &json!({})).await;
    assert_eq!(status, 401);
    let actions = audit_actions(&app, &owner, &org, &id).await;
    for action in [
        "sandbox.started",
        "sandbox.paused",
        "sandbox.resumed",
        "sandbox.stopped",
    ] {
        assert!(
            actions.iter().any(|seen| seen == action),
            "{action} not audited: {actions:?}"
        );
    }
}

#[tokio::test]
async fn a_killed_agent_server_is_an_error_until_resumed() {
    let Some(python) = agent_python() else {
        no_agent_server("the crash test");
        return;
    };
    let app = app_running_sandboxes(Some(python), |_| {}).await;
    let owner = app.register("owner.crash@example.com", PASSWORD).await;
    let org = owner.org_id.clone();
    let (status, created) = start_sandbox(&app, &owner, &org, json!({ "name": "crashy" })).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("id").to_owned();
    let _reaper = Reaper(vec![id.clone()]);
    wait_status(&app, &owner, &org, &id, "RUNNING", RUNNING_WITHIN).await;

    for pid in sandbox_processes(&id) {
        assert!(
            std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status()
                .expect("kill")
                .success()
        );
    }
    wait_status(&app, &owner, &org, &id, "ERROR", Duration::from_secs(20)).await;
    assert!(
        audit_actions(&app, &owner, &org, &id)
            .await
            .iter()
            .any(|action| action == "sandbox.failed")
    );
    let (status, body) = act(&app, &owner, &org, &id, "pause").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("sandbox_not_running")),
        "{body}"
    );

    let (status, body) = act(&app, &owner, &org, &id, "resume").await;
    assert_eq!(status, 200, "{body}");
    wait_status(&app, &owner, &org, &id, "RUNNING", RUNNING_WITHIN).await;
    assert_eq!(sandbox_processes(&id).len(), 1);
    assert_eq!(
        app.api(&owner.access_token).delete_sandbox(&org, &id).await.0,
        204
    );
    assert!(sandbox_processes(&id).is_empty());
}

#[tokio::test]
async fn a_restarted_tenantry_adopts_what_runs_marks_what_vanished_and_removes_what_no_record_claims() {
    let Some(python) = agent_python() else {
        no_agent_server("the restart test");
        return;
    };
    let app = app_running_sandboxes(Some(python.clone()), |_| {}).await;
    let owner = app.register("owner.restart@example.com", PASSWORD).await;
    let org = owner.org_id.clone();
    let mut ids = Vec::new();
    for name in ["kept", "vanishing", "forgotten"] {
        let (status, created) = start_sandbox(&app, &owner, &org, json!({ "name": name })).await;
        assert_eq!(status, 201, "{created}");
        ids.push(created["id"].as_str().expect("id").to_owned());
    }
    let _reaper = Reaper(ids.clone());
    for id in &ids {
        wait_status(&app, &owner, &org, id, "RUNNING", RUNNING_WITHIN).await;
    }
    let kept_pid = sandbox_processes(&ids[0]);
    assert_eq!(kept_pid.len(), 1);

    // Tenantry stops; meanwhile one process dies and one record is deleted behind its back.
    app.stop().await;
    for pid in sandbox_processes(&ids[1]) {
        let _ = std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status();
    }
    let revoked = app
        .execute_sql("UPDATE sandboxes SET revoked_at = created_at WHERE name = 'forgotten'")
        .await;
    assert_eq!(revoked, 1);

    let restarted = app
        .start_sibling(|config| {
            config.sandboxes.runtime = "process".into();
            config.sandboxes.supervise_interval_ms = 200;
            config.sandboxes.process.python = python;
            config.auth.public_url = app.config.auth.public_url.clone();
        })
        .await;
    let running = wait_status(
        &restarted,
        &owner,
        &org,
        &ids[0],
        "RUNNING",
        Duration::from_secs(10),
    )
    .await;
    assert!(!running["exposed_urls"].as_array().expect("urls").is_empty());
    assert_eq!(
        sandbox_processes(&ids[0]),
        kept_pid,
        "the running sandbox was adopted, not restarted"
    );
    wait_status(
        &restarted,
        &owner,
        &org,
        &ids[1],
        "MISSING",
        Duration::from_secs(10),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while !sandbox_processes(&ids[2]).is_empty() || sandbox_dir(&restarted, &ids[2]).exists() {
        assert!(
            Instant::now() < deadline,
            "the sandbox no record claims was not removed"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Nothing orphaned: one process per running sandbox.
    let all: usize = ids.iter().map(|id| sandbox_processes(id).len()).sum();
    assert_eq!(all, 1);
    assert_eq!(
        restarted
            .api(&owner.access_token)
            .delete_sandbox(&org, &ids[0])
            .await
            .0,
        204
    );
}

#[tokio::test]
async fn an_idle_sandbox_is_paused_and_a_conversation_started_on_it_resumes_it() {
    let Some(python) = agent_python() else {
        no_agent_server("the idle test");
        return;
    };
    let app = app_running_sandboxes(Some(python), |config| config.sandboxes.idle_timeout_secs = 3).await;
    let owner = app.register("owner.idle@example.com", PASSWORD).await;
    let org = owner.org_id.clone();
    let llm = FakeLlm::start();
    use_fake_llm(&app, &owner, &llm).await;
    let (status, created) = start_sandbox(&app, &owner, &org, json!({})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("id").to_owned();
    let _reaper = Reaper(vec![id.clone()]);
    wait_status(&app, &owner, &org, &id, "RUNNING", RUNNING_WITHIN).await;
    wait_status(&app, &owner, &org, &id, "PAUSED", Duration::from_secs(30)).await;
    // Recorded first, then stopped (within the stop grace).
    let deadline = Instant::now() + Duration::from_secs(10);
    while !sandbox_processes(&id).is_empty() {
        assert!(Instant::now() < deadline, "an idle-paused sandbox still runs");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, log) = app.api(&owner.access_token).audit_log(&org).await;
    assert!(
        log["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|entry| entry["action"] == "sandbox.paused"
                && entry["target_id"] == id.as_str()
                && entry["detail"]["reason"] == "idle"),
        "{log}"
    );

    let (status, conversation) = app
        .api(&owner.access_token)
        .create_conversation(&org, json!({ "sandbox_id": id, "initial_message": "Wake up." }))
        .await;
    assert_eq!(status, 201, "{conversation}");
    let (_, now) = sandbox(&app, &owner, &org, &id).await;
    assert_eq!(now["status"], "RUNNING", "{now}");
    replies(&app, &owner, conversation["id"].as_str().expect("id"), 1).await;
    assert_eq!(
        app.api(&owner.access_token).delete_sandbox(&org, &id).await.0,
        204
    );
}

#[tokio::test]
async fn limits_hold_under_concurrent_starts_and_nothing_is_spawned_beyond_them() {
    let app = app_running_sandboxes(None, |config| {
        config.sandboxes.default_spec = "silent".into();
        config.sandboxes.max_running_per_org = 3;
        config.sandboxes.max_running_per_user = 2;
    })
    .await;
    let owner = app.register("owner.limits@example.com", PASSWORD).await;
    let (status, shared) = app
        .api(&owner.access_token)
        .create_org(json!({ "name": "Limits" }))
        .await;
    assert_eq!(status, 201, "{shared}");
    let org = shared["id"].as_str().expect("id").to_owned();
    let developer = app.register("dev.limits@example.com", PASSWORD).await;
    let (status, body) = app
        .api(&owner.access_token)
        .add_member(
            &org,
            json!({ "email": "dev.limits@example.com", "role": "developer" }),
        )
        .await;
    assert!((200..300).contains(&status), "{body}");

    // Eight at once from one member: exactly the member's two start.
    let attempts = (0..8).map(|_| start_sandbox(&app, &owner, &org, json!({})));
    let answers = futures::future::join_all(attempts).await;
    let started: Vec<String> = answers
        .iter()
        .filter(|(status, _)| *status == 201)
        .map(|(_, body)| body["id"].as_str().expect("id").to_owned())
        .collect();
    let mut reaped = started.clone();
    assert_eq!(started.len(), 2, "{answers:?}");
    for (status, body) in answers.iter().filter(|(status, _)| *status != 201) {
        assert_eq!(
            (*status, body["code"].as_str()),
            (429, Some("sandbox_limit")),
            "{body}"
        );
    }
    let (status, third) = start_sandbox(&app, &developer, &org, json!({})).await;
    assert_eq!(status, 201, "{third}");
    reaped.push(third["id"].as_str().expect("id").to_owned());
    let (status, refused) = start_sandbox(&app, &developer, &org, json!({})).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (429, Some("sandbox_limit")),
        "{refused}"
    );
    let _reaper = Reaper(reaped.clone());
    let spawned: usize = reaped.iter().map(|id| sandbox_processes(id).len()).sum();
    assert_eq!(
        spawned, 3,
        "one process per admitted start, none for refused ones"
    );
    let sandbox_dirs = std::fs::read_dir(app.data_dir.join("sandboxes"))
        .expect("root")
        .count();
    assert_eq!(sandbox_dirs, 3);

    // A paused one frees its slot; an operator's figure replaces the org's default.
    assert_eq!(act(&app, &owner, &org, &started[0], "pause").await.0, 200);
    assert!(sandbox_processes(&started[0]).is_empty());
    let (status, fourth) = start_sandbox(&app, &owner, &org, json!({})).await;
    assert_eq!(status, 201, "{fourth}");
    let fourth = fourth["id"].as_str().expect("id").to_owned();
    let (status, body) = start_sandbox(&app, &developer, &org, json!({})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (429, Some("sandbox_limit")),
        "the org is full: {body}"
    );
    let output = app.cli(&["orgs", "sandbox-limit", &org, "--max", "5"], &[]);
    assert!(output.ok, "{}", output.text);
    let (status, fifth) = start_sandbox(&app, &developer, &org, json!({})).await;
    assert_eq!(status, 201, "the operator's figure applies: {fifth}");
    let fifth = fifth["id"].as_str().expect("id").to_owned();
    let _more = Reaper(vec![fourth.clone(), fifth.clone()]);
    let (status, body) = act(&app, &owner, &org, &started[0], "resume").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (429, Some("sandbox_limit")),
        "the member's own limit: {body}"
    );
    assert_eq!(
        app.api(&owner.access_token).delete_sandbox(&org, &fourth).await.0,
        204
    );
    let (status, body) = act(&app, &owner, &org, &started[0], "resume").await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("STARTING")),
        "{body}"
    );
    // Between fork and exec a child still shows its parent's environment: its marker appears once
    // the agent server's program runs.
    let mut processes = sandbox_processes(&started[0]);
    for _ in 0..100 {
        if !processes.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        processes = sandbox_processes(&started[0]);
    }
    assert_eq!(processes.len(), 1, "{processes:?}");

    for id in reaped.iter().chain([&fourth, &fifth]) {
        let _ = app.api(&owner.access_token).delete_sandbox(&org, id).await;
        assert!(sandbox_processes(id).is_empty());
    }
}

#[tokio::test]
async fn another_orgs_sandbox_is_not_found_everywhere() {
    let app = app_running_sandboxes(None, |config| config.sandboxes.default_spec = "silent".into()).await;
    let owner = app.register("owner.tenancy.sbx@example.com", PASSWORD).await;
    let stranger = app.register("stranger.tenancy.sbx@example.com", PASSWORD).await;
    let org = owner.org_id.clone();
    let (status, created) = start_sandbox(&app, &owner, &org, json!({ "spec": "silent" })).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("id").to_owned();
    let _reaper = Reaper(vec![id.clone()]);
    for org_path in [org.as_str(), stranger.org_id.as_str()] {
        assert_eq!(sandbox(&app, &stranger, org_path, &id).await.0, 404);
        for action in ["pause", "resume"] {
            assert_eq!(
                act(&app, &stranger, org_path, &id, action).await.0,
                404,
                "{action}"
            );
        }
        assert_eq!(
            app.api(&stranger.access_token)
                .delete_sandbox(org_path, &id)
                .await
                .0,
            404
        );
    }
    let (status, unknown_spec) = start_sandbox(&app, &owner, &org, json!({ "spec": "nope" })).await;
    assert_eq!(
        (status, unknown_spec["errors"][0]["field"].as_str()),
        (422, Some("spec")),
        "{unknown_spec}"
    );
    let (status, specs) = app
        .call(
            "GET",
            &owner.access_token,
            &format!("/api/orgs/{org}/sandbox-specs"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let names: Vec<&str> = specs["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|spec| spec["id"].as_str())
        .collect();
    assert_eq!(names, vec!["process", "silent"]);
    assert_eq!(
        sandbox_processes(&id).len(),
        1,
        "a stranger's calls touched the process"
    );
    assert_eq!(
        app.api(&owner.access_token).delete_sandbox(&org, &id).await.0,
        204
    );
    assert!(sandbox_processes(&id).is_empty());
}

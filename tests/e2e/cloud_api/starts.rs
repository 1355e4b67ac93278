//! Starting a conversation as OpenHands clients do: `POST /api/v1/app-conversations` answers with a
//! start task; the task starts a sandbox, waits for it and starts the conversation (real agent
//! server, fake LLM), until `READY`. Then the conversation is steered and deleted through the same
//! API.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{
    agent_servers::harness::{FakeLlm, agent_python, messages, wait_for},
    support::{PASSWORD, TestApp, free_port, spawn_app_with},
};

async fn finished_task(app: &TestApp, key: &str, task: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(150);
    loop {
        let (status, tasks) = super::call(
            app,
            "GET",
            key,
            &format!("/api/v1/app-conversations/start-tasks?ids={task}"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{tasks}");
        if ["READY", "ERROR"].contains(&tasks[0]["status"].as_str().unwrap_or_default()) {
            return tasks[0].clone();
        }
        assert!(Instant::now() < deadline, "the start never finished: {tasks}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn a_start_task_starts_a_sandbox_and_a_conversation_that_is_then_steered_and_deleted() {
    let Some(python) = agent_python() else {
        let message = "openhands-agent-server is not installed (TENANTRY_TEST_AGENT_PYTHON): the start task test did NOT run";
        assert!(std::env::var_os("CI").is_none(), "{message}");
        eprintln!("\n\n!!! {message} !!!\n\n");
        return;
    };
    let bind = format!("127.0.0.1:{}", free_port());
    let public = format!("http://{bind}");
    let app = spawn_app_with(move |config| {
        config.bind = bind.clone();
        config.auth.public_url = Some(public.clone());
        config.sandboxes.runtime = "process".into();
        config.sandboxes.process.python = python;
        config.sandboxes.supervise_interval_ms = 200;
    })
    .await;
    let _reaper = crate::support::SandboxReaper::of(&app.data_dir);
    let ann = app.register("ann.starts@example.com", PASSWORD).await;
    let eve = app.register("eve.starts@example.com", PASSWORD).await;
    let org = ann.org_id.clone();
    let llm = FakeLlm::start();
    let settings = json!({ "llm_model": "openai/fake", "llm_base_url": llm.base_url, "llm_api_key": "sk-starts", "max_iterations": 5 });
    let (status, body) = app
        .call(
            "PATCH",
            &ann.access_token,
            &format!("/api/orgs/{org}/settings"),
            Some(settings),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let key_of = |token: String, org: String| {
        let app = &app;
        async move {
            let (_, body) = app
                .api(&token)
                .create_api_key(&org, json!({ "name": "starts" }))
                .await;
            body["key"].as_str().expect("key").to_owned()
        }
    };
    let key = key_of(ann.access_token.clone(), org.clone()).await;
    let eve_key = key_of(eve.access_token.clone(), eve.org_id.clone()).await;

    let request = json!({
        "initial_message": { "role": "user", "content": [{ "type": "text", "text": "Say hello." }], "run": true },
        "title": "Started as a task",
        "secrets": { "TOKEN": "never-echoed" }
    });
    let (status, task) = super::call(&app, "POST", &key, "/api/v1/app-conversations", Some(request)).await;
    assert_eq!(status, 200, "{task}");
    assert!(
        ["WORKING", "WAITING_FOR_SANDBOX"].contains(&task["status"].as_str().unwrap_or_default()),
        "{task}"
    );
    assert!(
        !task.to_string().contains("never-echoed"),
        "the request's secrets are not echoed"
    );
    let id = task["id"].as_str().expect("id").to_owned();
    let (_, theirs) = super::call(
        &app,
        "GET",
        &eve_key,
        &format!("/api/v1/app-conversations/start-tasks?ids={id}"),
        None,
    )
    .await;
    assert_eq!(theirs, json!([null]), "another org's key sees no task");

    let done = finished_task(&app, &key, &id).await;
    assert_eq!(done["status"], "READY", "{done}");
    let conversation = done["app_conversation_id"]
        .as_str()
        .expect("conversation")
        .to_owned();
    assert!(
        done["agent_server_url"]
            .as_str()
            .is_some_and(|url| url.starts_with("http://127.0.0.1:"))
    );
    let (_, counted) = super::call(
        &app,
        "GET",
        &key,
        "/api/v1/app-conversations/start-tasks/count",
        None,
    )
    .await;
    assert_eq!(counted, json!(1));
    let (_, page) = super::call(
        &app,
        "GET",
        &key,
        &format!("/api/v1/app-conversations/start-tasks/search?conversation_id__eq={conversation}"),
        None,
    )
    .await;
    assert_eq!(page["items"][0]["id"], id.as_str());

    let (_, batch) = super::call(
        &app,
        "GET",
        &key,
        &format!("/api/v1/app-conversations?ids={conversation}"),
        None,
    )
    .await;
    let found = &batch[0];
    assert_eq!(found["title"], "Started as a task");
    assert_eq!(found["sandbox_status"], "RUNNING");
    assert!(
        found["conversation_url"]
            .as_str()
            .is_some_and(|url| url.ends_with(&format!("/api/conversations/{conversation}")))
    );
    assert!(
        found["session_api_key"]
            .as_str()
            .is_some_and(|key| !key.is_empty())
    );
    wait_for(&app, &ann, &conversation, "the first reply", |_, events| {
        messages(events).iter().any(|(source, _)| source == "agent")
    })
    .await;

    let message = json!({ "role": "user", "content": [{ "type": "text", "text": "Again." }] });
    let (status, sent) = super::call(
        &app,
        "POST",
        &key,
        &format!("/api/v1/app-conversations/{conversation}/send-message"),
        Some(message),
    )
    .await;
    assert_eq!((status, sent["success"].as_bool()), (200, Some(true)), "{sent}");
    wait_for(&app, &ann, &conversation, "the second reply", |_, events| {
        messages(events)
            .iter()
            .filter(|(source, _)| source == "agent")
            .count()
            >= 2
    })
    .await;

    let (status, _) = super::call(
        &app,
        "DELETE",
        &key,
        &format!("/api/v1/app-conversations/{conversation}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (_, batch) = super::call(
        &app,
        "GET",
        &key,
        &format!("/api/v1/app-conversations?ids={conversation}"),
        None,
    )
    .await;
    assert_eq!(batch, json!([null]));
    let sandbox = done["sandbox_id"].as_str().expect("sandbox");
    assert_eq!(
        app.api(&ann.access_token).delete_sandbox(&org, sandbox).await.0,
        204
    );

    // A sandbox the caller cannot use ends the task in ERROR, with why.
    let (_, other_sandbox) = app
        .api(&eve.access_token)
        .register_sandbox(
            &eve.org_id,
            json!({ "name": "eve's", "url": "http://127.0.0.1:9" }),
        )
        .await;
    let request = json!({ "sandbox_id": other_sandbox["id"], "initial_message": { "content": [{ "type": "text", "text": "hi" }] } });
    let (_, task) = super::call(&app, "POST", &key, "/api/v1/app-conversations", Some(request)).await;
    let failed = finished_task(&app, &key, task["id"].as_str().expect("id")).await;
    assert_eq!(failed["status"], "ERROR");
    assert!(
        failed["detail"].as_str().is_some_and(|detail| !detail.is_empty()),
        "{failed}"
    );
    let empty = json!({ "initial_message": { "content": [{ "type": "text", "text": "  " }] } });
    let (status, refused) = super::call(&app, "POST", &key, "/api/v1/app-conversations", Some(empty)).await;
    assert_eq!(status, 422, "{refused}");
}

//! The real OpenHands agent server (openhands-agent-server 1.58.0 from the Python package index)
//! reporting into Tenantry, with a fake OpenAI-compatible LLM inside the test. `.ci/run` builds the
//! virtualenv; on a machine without it the test says so loudly and passes, except under CI.

use std::time::Duration;

use serde_json::{Value, json};

use super::{
    PASSWORD, deliver,
    harness::{
        AgentServer, COMPLETION_TOKENS, FakeLlm, INPUT_COST, LLM_KEY, OUTPUT_COST, PROMPT_TOKENS,
        agent_python, messages, user_message, wait_for,
    },
    register_sandbox,
};
use crate::support::{free_port, spawn_app_with};

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
        config.auth.public_url = Some(format!("http://{bind}"));
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
        .api(&user.access_token)
        .delete_sandbox(&user.org_id, &sandbox.id)
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        deliver(&restarted, Some(&sandbox.key), "/conversations", &report)
            .await
            .0,
        401
    );
    let (_, unchanged) = restarted
        .api(&user.access_token)
        .conversation(&user.org_id, &id)
        .await;
    assert_eq!(unchanged["execution_status"], "finished");
    assert_ne!(unchanged["title"], "hijacked");
    llm.handle.stop(false).await;
}

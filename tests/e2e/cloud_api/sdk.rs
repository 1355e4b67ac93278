//! OpenHands' own Python SDK against Tenantry: `OpenHandsCloudWorkspace` starts a sandbox through
//! the Cloud API, reads the org's LLM and secrets, runs a conversation on the sandbox's agent server
//! (the fake LLM answers), and deletes the sandbox. Everything lands in Tenantry.

use std::{path::Path, process::Stdio, time::Duration};

use serde_json::{Value, json};

use crate::{
    agent_servers::harness::{FakeLlm, agent_python, messages, wait_for},
    support::{PASSWORD, free_port, spawn_app_with},
};

const ORG_KEY: &str = "sk-org-cloud-sdk";

#[tokio::test]
async fn the_sdks_cloud_workspace_runs_a_conversation_through_tenantry() {
    let Some(python) = agent_python() else {
        let message =
            "openhands-workspace is not installed (TENANTRY_TEST_AGENT_PYTHON): the SDK test did NOT run";
        assert!(std::env::var_os("CI").is_none(), "{message}");
        eprintln!("\n\n!!! {message} !!!\n\n");
        return;
    };
    let bind = format!("127.0.0.1:{}", free_port());
    let public = format!("http://{bind}");
    let agent_python = python.clone();
    let app = spawn_app_with(move |config| {
        config.bind = bind.clone();
        config.auth.public_url = Some(public.clone());
        config.sandboxes.runtime = "process".into();
        config.sandboxes.process.python = agent_python;
        config.sandboxes.supervise_interval_ms = 200;
    })
    .await;
    let _reaper = crate::support::SandboxReaper::of(&app.data_dir);
    let owner = app.register("owner.sdk@example.com", PASSWORD).await;
    let org = owner.org_id.clone();
    let llm = FakeLlm::start();
    let settings = json!({ "llm_model": "openai/fake", "llm_base_url": llm.base_url, "llm_api_key": ORG_KEY, "max_iterations": 5 });
    let (status, body) = app
        .call(
            "PATCH",
            &owner.access_token,
            &format!("/api/orgs/{org}/settings"),
            Some(settings),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .api(&owner.access_token)
        .put_secret(
            &org,
            "DEPLOY_TOKEN",
            json!({ "value": "deploy-value-3e1", "scope": "org" }),
        )
        .await;
    assert!((200..300).contains(&status), "{body}");
    let (status, key) = app
        .api(&owner.access_token)
        .create_api_key(&org, json!({ "name": "sdk" }))
        .await;
    assert_eq!(status, 201, "{key}");

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/cloud-api/sdk_cloud_workspace.py");
    let child = tokio::process::Command::new(&python)
        .arg(script)
        .env("TENANTRY_URL", &app.address)
        .env("TENANTRY_API_KEY", key["key"].as_str().expect("key"))
        .env("EXPECTED_LLM_MODEL", "openai/fake")
        .env("EXPECTED_LLM_BASE_URL", &llm.base_url)
        .env("EXPECTED_LLM_API_KEY", ORG_KEY)
        .env("EXPECTED_SECRET_NAME", "DEPLOY_TOKEN")
        .env("WORKSPACE_WORKING_DIR", "workspace/project")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("run the SDK script");
    let output = tokio::time::timeout(Duration::from_secs(400), child.wait_with_output())
        .await
        .expect("the SDK script finished in time")
        .expect("its output");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the SDK failed:\n{stderr}");
    let result: Value = serde_json::from_slice(&output.stdout).expect("one JSON line");
    assert_eq!(result["llm_model"], "openai/fake");
    assert!(
        result["secrets"]
            .as_array()
            .expect("secrets")
            .contains(&json!("DEPLOY_TOKEN"))
    );

    // The LLM got the org's key; the conversation and its events are in Tenantry, in the org.
    assert!(
        llm.calls()
            .iter()
            .all(|(authorization, _)| authorization.as_deref() == Some(&format!("Bearer {ORG_KEY}"))),
        "the fake LLM saw another key"
    );
    let conversation = result["conversation_id"].as_str().expect("conversation");
    let (_, events) = wait_for(
        &app,
        &owner,
        conversation,
        "the SDK's conversation in Tenantry",
        |conversation, events| {
            conversation["sandbox_id"] == result["sandbox_id"]
                && messages(events).iter().any(|(source, _)| source == "agent")
        },
    )
    .await;
    assert!(messages(&events).contains(&("user".to_owned(), "Say hello.".to_owned())));

    // Cleanup deleted the sandbox: gone from the Cloud API, its process and workspace removed.
    let sandbox = result["sandbox_id"].as_str().expect("sandbox");
    let (status, gone) = app
        .call(
            "GET",
            &owner.access_token,
            &format!("/api/orgs/{org}/sandboxes/{sandbox}"),
            None,
        )
        .await;
    assert_eq!(status, 404, "{gone}");
    assert!(!app.data_dir.join("sandboxes").join(sandbox).exists());
}

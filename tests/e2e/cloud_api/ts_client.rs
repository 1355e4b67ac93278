//! OpenHands' TypeScript `CloudClient` (`@openhands/typescript-client`, under node 20) against
//! Tenantry: the script calls every client method that maps to a route, and the methods of routes
//! Tenantry serves must pass. The others are printed, for the record.

use std::{path::PathBuf, process::Stdio, time::Duration};

use serde_json::{Value, json};

use crate::support::{PASSWORD, free_port, spawn_app_with};

/// The client's `node_modules` (`.ci/run` installs it from tests/cloud-api/ts/package-lock.json).
fn client_modules() -> Option<PathBuf> {
    let modules = std::env::var_os("TENANTRY_TEST_CLOUD_CLIENT_MODULES")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|home| PathBuf::from(home).join(".cache/tenantry/cloud-client/node_modules"))
        })?;
    modules
        .join("@openhands/typescript-client")
        .is_dir()
        .then_some(modules)
}

/// Client methods (and which client called them) whose routes Tenantry serves.
const SERVED: &[(&str, &str)] = &[
    ("getSandboxes", "org"),
    ("pauseSandbox", "org"),
    ("resumeSandbox", "org"),
    ("getSandboxes", "other-org-key"),
    ("pauseSandbox", "other-org-key"),
    ("getSandboxes", "unknown-key"),
    ("getOrganizations", "org"),
    ("getOrganizationMe", "org"),
    ("getCurrentApiKey", "org"),
    ("getCurrentApiKey", "other-org-key"),
    ("searchConversations", "org"),
    ("getConversations", "org"),
    ("get(/api/v1/web-client/config)", "org"),
    ("listSecrets", "org"),
    ("createSecret", "org"),
    ("startDeviceFlow", "none"),
    ("getSettings", "org"),
    ("saveSettings", "org"),
    ("getSettingsSchema", "org"),
    ("getConversationSettingsSchema", "org"),
    ("listProfiles", "org"),
    ("saveProfile", "org"),
    ("getProfile", "org"),
    ("renameProfile", "org"),
    ("activateProfile", "org"),
    ("deleteProfile", "org"),
    ("listProfiles", "key"),
    ("saveProfile", "key"),
    ("getProfile", "key"),
    ("renameProfile", "key"),
    ("activateProfile", "key"),
    ("deleteProfile", "key"),
    ("listSecrets", "other-org-key"),
    ("updateSecret", "org"),
    ("deleteSecret", "org"),
    ("getConversationStartTask", "org"),
];

#[tokio::test]
async fn the_typescript_cloud_client_works_against_tenantry() {
    let Some(modules) = client_modules() else {
        let message = "@openhands/typescript-client is not installed (TENANTRY_TEST_CLOUD_CLIENT_MODULES): the TypeScript client test did NOT run";
        assert!(std::env::var_os("CI").is_none(), "{message}");
        eprintln!("\n\n!!! {message} !!!\n\n");
        return;
    };
    // With the real agent server, conversations started through the client come up too.
    let agent = crate::agent_servers::harness::agent_python();
    let real = agent.is_some();
    let bind = format!("127.0.0.1:{}", free_port());
    let public = format!("http://{bind}");
    let app = spawn_app_with(move |config| {
        config.bind = bind.clone();
        config.auth.public_url = Some(public.clone());
        config.sandboxes.runtime = "process".into();
        config.sandboxes.supervise_interval_ms = 200;
        if let Some(python) = agent {
            config.sandboxes.process.python = python;
        }
        config.sandboxes.specs.push(super::silent_spec());
        if !real {
            config.sandboxes.default_spec = "silent".into();
        }
    })
    .await;
    let _reaper = crate::support::SandboxReaper::of(&app.data_dir);
    let ann = app.register("ann.ts@example.com", PASSWORD).await;
    let eve = app.register("eve.ts@example.com", PASSWORD).await;
    let key_of = |session: &crate::support::Session| {
        let app = &app;
        let (token, org) = (session.access_token.clone(), session.org_id.clone());
        async move {
            let (status, body) = app
                .api(&token)
                .create_api_key(&org, json!({ "name": "ts client" }))
                .await;
            assert_eq!(status, 201, "{body}");
            body["key"].as_str().expect("key").to_owned()
        }
    };
    let (ann_key, eve_key) = (key_of(&ann).await, key_of(&eve).await);
    let started: Value = app
        .client
        .post(app.url("/api/v1/sandboxes"))
        .bearer_auth(&ann_key)
        .send()
        .await
        .expect("start")
        .json()
        .await
        .expect("sandbox");
    let sandbox = started["id"].as_str().expect("id").to_owned();
    if real {
        // The client starts its conversation on this sandbox: let it come up first.
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        loop {
            let (_, body) = app
                .call(
                    "GET",
                    &ann.access_token,
                    &format!("/api/orgs/{}/sandboxes/{sandbox}", ann.org_id),
                    None,
                )
                .await;
            if body["status"] == "RUNNING" {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the sandbox never ran: {body}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/cloud-api/ts/cloud-client.mjs");
    let run = tokio::process::Command::new("node")
        .arg(script)
        .env("TENANTRY_TEST_CLOUD_CLIENT_MODULES", &modules)
        .env("TENANTRY_URL", &app.address)
        .env("TENANTRY_API_KEY", &ann_key)
        .env("TENANTRY_ORG_ID", &ann.org_id)
        .env("TENANTRY_OTHER_ORG_KEY", &eve_key)
        .env("TENANTRY_EXPECTED_ROLE", "owner")
        .env("SANDBOX_ID", &sandbox)
        .env("CONVERSATION_READY_SECONDS", if real { "90" } else { "5" })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(180), run)
        .await
        .expect("the client script finished in time")
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: Value =
        serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap_or_else(|_| {
            panic!(
                "no report:\n{stdout}\n{}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
    let results = report["results"].as_array().expect("results");
    for result in results {
        eprintln!(
            "{} {:<32} {:<14} {}",
            if result["ok"] == true { "ok  " } else { "FAIL" },
            result["method"].as_str().unwrap_or_default(),
            result["via"].as_str().unwrap_or_default(),
            result["detail"]
        );
    }
    for (method, via) in SERVED {
        let outcome = results
            .iter()
            .find(|result| result["method"] == *method && result["via"] == *via)
            .unwrap_or_else(|| panic!("{method} via {via} did not run"));
        assert_eq!(outcome["ok"], true, "{method} via {via}: {}", outcome["detail"]);
    }
    if real {
        for method in [
            "createConversation",
            "getConversationStartTask",
            "getConversations",
            "updateConversationPublicFlag",
            "deleteConversation",
        ] {
            for outcome in results.iter().filter(|result| result["method"] == method) {
                assert_eq!(outcome["ok"], true, "{method}: {}", outcome["detail"]);
            }
        }
    }
    for poll in results.iter().filter(|result| result["method"] == "pollForToken") {
        assert_eq!(poll["ok"], true, "pollForToken: {}", poll["detail"]);
    }
    assert!(output.status.success(), "group A failed: {}", report["summary"]);
    let _ = app
        .api(&ann.access_token)
        .delete_sandbox(&ann.org_id, &sandbox)
        .await;
}

//! `--porting N,M,…`: import an OpenHands file store of N conversations × 1,000 events with
//! `tenantry import openhands`, then export the org over HTTP and with `tenantry export`; time,
//! events/s and peak RSS of each command, to show memory stays flat as the org grows.

use std::{
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::Context;
use serde_json::json;

use crate::{
    seed::Fixture,
    server::{BenchDatabase, Server, cli_command, process_status_kib},
};

/// Events per imported conversation.
pub const EVENTS_PER_CONVERSATION: usize = 1000;

/// Writes a single-user OpenHands file store of `conversations` sessions.
fn write_file_store(root: &Path, conversations: usize) -> anyhow::Result<u64> {
    let mut bytes = 0;
    std::fs::write(
        root.join("settings.json"),
        r#"{"llm_model":"openai/gpt-5","agent":"CodeActAgent"}"#,
    )?;
    for c in 0..conversations {
        let sid = uuid::Uuid::new_v4().simple().to_string();
        let dir = root.join("sessions").join(&sid);
        std::fs::create_dir_all(dir.join("events"))?;
        let metadata = json!({
            "conversation_id": sid, "title": format!("imported {c}"),
            "created_at": "2025-10-12T14:03:10Z", "last_updated_at": "2025-10-12T15:03:10Z",
            "accumulated_cost": 0.5, "prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100,
        });
        std::fs::write(dir.join("metadata.json"), metadata.to_string())?;
        for n in 0..EVENTS_PER_CONVERSATION {
            let event = json!({
                "id": n, "timestamp": "2025-10-12T14:03:10.5", "source": "agent",
                "message": "Running command: ls -la /workspace", "action": "run",
                "args": { "command": "ls -la /workspace", "thought": "Let me look at the files in the workspace first.",
                          "blocking": false, "is_input": false, "hidden": false, "security_risk": -1 }
            })
            .to_string();
            bytes += event.len() as u64;
            std::fs::write(dir.join("events").join(format!("{n}.json")), event)?;
        }
    }
    Ok(bytes)
}

/// Runs a command to its end, sampling its peak RSS (`VmHWM`); returns (seconds, MiB, stdout).
fn run_measured(mut command: Command) -> anyhow::Result<(f64, f64, Vec<u8>)> {
    let started = Instant::now();
    let output_file = tempfile::tempfile()?;
    let mut child = command
        .stdout(output_file.try_clone()?)
        .stderr(Stdio::piped())
        .spawn()
        .context("start tenantry")?;
    let mut peak_kib = 0.0_f64;
    loop {
        peak_kib = peak_kib.max(process_status_kib(child.id(), "VmHWM:"));
        if let Some(status) = child.try_wait()? {
            let mut stderr = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().expect("stderr"), &mut stderr)?;
            anyhow::ensure!(status.success(), "tenantry failed: {stderr}");
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut output = Vec::new();
    let mut file = output_file;
    std::io::Seek::rewind(&mut file)?;
    std::io::Read::read_to_end(&mut file, &mut output)?;
    Ok((seconds, peak_kib / 1024.0, output))
}

/// Measures import and export for each size.
pub async fn measure(
    server: &Server,
    database: &BenchDatabase,
    fixture: &Fixture,
    sizes: &[usize],
) -> anyhow::Result<()> {
    for &conversations in sizes {
        let store = tempfile::tempdir()?;
        let source_bytes = write_file_store(store.path(), conversations)?;
        // Writing a large store takes longer than the server keeps an idle connection open.
        let client = &reqwest::Client::new();
        let org: serde_json::Value = client
            .post(format!("{}/api/orgs", server.base))
            .bearer_auth(&fixture.token)
            .json(&json!({ "name": format!("imported {conversations} {}", uuid::Uuid::new_v4().simple()) }))
            .send()
            .await?
            .json()
            .await?;
        let org = org["id"].as_str().context("org id")?.to_owned();
        let events = conversations * EVENTS_PER_CONVERSATION;

        let mut import = cli_command(database)?;
        import
            .args(["import", "openhands", "--user", &fixture.email, "--org", &org])
            .arg(store.path());
        let (seconds, peak, _) = tokio::task::spawn_blocking(move || run_measured(import)).await??;
        println!(
            "import {conversations} conversations × {EVENTS_PER_CONVERSATION} events ({:.0} MiB of JSON): \
             {seconds:.1} s, {:.0} events/s, peak RSS {peak:.0} MiB",
            source_bytes as f64 / 1_048_576.0,
            events as f64 / seconds
        );

        let before = server.current_rss_mib();
        let started = Instant::now();
        let mut response = client
            .get(format!("{}/api/orgs/{org}/export", server.base))
            .bearer_auth(&fixture.token)
            .send()
            .await?
            .error_for_status()?;
        let mut archive_bytes = 0_u64;
        let mut server_peak = before;
        while let Some(chunk) = response.chunk().await? {
            archive_bytes += chunk.len() as u64;
            server_peak = server_peak.max(server.current_rss_mib());
        }
        println!(
            "export over HTTP: {:.1} s, {:.1} MiB archive, server RSS {before:.0} → at most {server_peak:.0} MiB",
            started.elapsed().as_secs_f64(),
            archive_bytes as f64 / 1_048_576.0
        );

        let mut export = cli_command(database)?;
        export.args(["export", "--org", &org]);
        let (seconds, peak, archive) = tokio::task::spawn_blocking(move || run_measured(export)).await??;
        println!(
            "tenantry export: {seconds:.1} s, {:.1} MiB archive, peak RSS {peak:.0} MiB",
            archive.len() as f64 / 1_048_576.0
        );
    }
    Ok(())
}

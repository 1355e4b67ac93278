//! Sandboxes Tenantry starts itself: the time from `POST …/sandboxes` to `RUNNING` and to the first
//! agent reply (median and p99 over `n`), the memory of an idle sandbox, and how many sandboxes run
//! at once before a start takes half again as long as the first.

use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};

use crate::{
    agent_start::{agent_python, fake_llm, quantiles},
    seed::Fixture,
    server::process_status_kib,
};

/// Resident memory of every process of a sandbox (found by its marker variable), in MiB.
fn sandbox_rss_mib(sandbox: &str) -> f64 {
    let marker = format!("TENANTRY_SANDBOX_ID={sandbox}");
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|environ| {
                environ
                    .split(|byte| *byte == 0)
                    .any(|var| var == marker.as_bytes())
            })
        })
        .map(|pid| process_status_kib(pid, "VmRSS:") / 1024.0)
        .sum()
}

struct Bench<'a> {
    client: &'a reqwest::Client,
    base: &'a str,
    fixture: &'a Fixture,
}

impl Bench<'_> {
    fn url(&self, path: &str) -> String {
        format!("{}/api/orgs/{}{path}", self.base, self.fixture.org)
    }

    async fn start(&self) -> anyhow::Result<String> {
        let created: Value = self
            .client
            .post(self.url("/sandboxes"))
            .bearer_auth(&self.fixture.token)
            .json(&json!({}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(created["id"].as_str().context("sandbox id")?.to_owned())
    }

    async fn running(&self, sandbox: &str) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            let body: Value = self
                .client
                .get(self.url(&format!("/sandboxes/{sandbox}")))
                .bearer_auth(&self.fixture.token)
                .send()
                .await?
                .json()
                .await?;
            match body["status"].as_str() {
                Some("RUNNING") => return Ok(()),
                Some("STARTING") if Instant::now() < deadline => {}
                other => anyhow::bail!("sandbox {sandbox} is {other:?}"),
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn first_reply(&self, sandbox: &str) -> anyhow::Result<()> {
        let conversation: Value = self
            .client
            .post(self.url("/conversations"))
            .bearer_auth(&self.fixture.token)
            .json(&json!({ "sandbox_id": sandbox, "initial_message": "Say hello." }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let id = conversation["id"].as_str().context("conversation id")?;
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let page: Value = self
                .client
                .get(self.url(&format!("/conversations/{id}/events?limit=1000")))
                .bearer_auth(&self.fixture.token)
                .send()
                .await?
                .json()
                .await?;
            let replied = page["items"].as_array().is_some_and(|events| {
                events.iter().any(|stored| {
                    stored["event"]["kind"] == "MessageEvent" && stored["event"]["source"] == "agent"
                })
            });
            if replied {
                return Ok(());
            }
            anyhow::ensure!(Instant::now() < deadline, "no agent reply on {sandbox}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn delete(&self, sandbox: &str) -> anyhow::Result<()> {
        self.client
            .delete(self.url(&format!("/sandboxes/{sandbox}")))
            .bearer_auth(&self.fixture.token)
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }
}

/// Measures `n` sandbox lifecycles one after the other, then starts up to `capacity` sandboxes
/// that stay running, and prints the figures.
pub async fn measure(
    client: &reqwest::Client,
    base: &str,
    fixture: &Fixture,
    n: usize,
    capacity: usize,
) -> anyhow::Result<()> {
    if agent_python().is_none() {
        println!("sandbox starts: not measured (no openhands-agent-server; run .ci/run once)");
        return Ok(());
    }
    let bench = Bench {
        client,
        base,
        fixture,
    };
    let llm = fake_llm().await?;
    client
        .patch(bench.url("/settings"))
        .bearer_auth(&fixture.token)
        .json(&json!({ "llm_model": "openai/none", "llm_base_url": llm, "llm_api_key": "sk-bench", "max_iterations": 3 }))
        .send()
        .await?
        .error_for_status()?;

    let (mut to_running, mut to_reply, mut idle_rss) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..n {
        let started = Instant::now();
        let sandbox = bench.start().await?;
        let lifecycle = async {
            bench.running(&sandbox).await?;
            to_running.push(started.elapsed().as_secs_f64() * 1000.0);
            idle_rss.push(sandbox_rss_mib(&sandbox));
            bench.first_reply(&sandbox).await?;
            to_reply.push(started.elapsed().as_secs_f64() * 1000.0);
            anyhow::Ok(())
        }
        .await;
        // Sandboxes outlive the server: one that failed is removed too.
        bench.delete(&sandbox).await?;
        lifecycle?;
    }
    let (running_median, running_p99) = quantiles(to_running);
    let (reply_median, reply_p99) = quantiles(to_reply);
    let (rss_median, _) = quantiles(idle_rss);
    println!(
        "sandbox start ({n}): POST → RUNNING median {running_median:.0} ms, p99 {running_p99:.0} ms; \
         → first agent reply median {reply_median:.0} ms, p99 {reply_p99:.0} ms; idle sandbox {rss_median:.0} MiB RSS"
    );

    if capacity > 0 {
        let mut kept = Vec::new();
        let mut first = None;
        for k in 1..=capacity {
            let started = Instant::now();
            let sandbox = bench.start().await?;
            kept.push(sandbox.clone());
            if let Err(error) = bench.running(&sandbox).await {
                for sandbox in &kept {
                    let _ = bench.delete(sandbox).await;
                }
                return Err(error);
            }
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            let first_ms = *first.get_or_insert(ms);
            let total_rss: f64 = kept.iter().map(|sandbox| sandbox_rss_mib(sandbox)).sum();
            println!("  running {k}: start took {ms:.0} ms, all sandboxes {total_rss:.0} MiB RSS");
            if ms > first_ms * 1.5 {
                println!("sandbox capacity: starts slow past {} running sandboxes", k - 1);
                break;
            }
        }
        for sandbox in &kept {
            bench.delete(sandbox).await?;
        }
    }
    Ok(())
}

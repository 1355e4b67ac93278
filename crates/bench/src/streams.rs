//! Live streams: how long an appended event takes to reach 100 or 1,000 subscribers of its
//! conversation, on the instance that took the append and on another one, and the server's memory
//! while they are open.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::Context;
use serde_json::{Value, json};

use crate::{seed::Fixture, server::Server};

/// Events appended per measurement, one at a time.
const APPENDS: usize = 20;

/// When each subscriber received each event id.
type Arrivals = Arc<Mutex<Vec<(i64, Instant)>>>;

/// Measures every subscriber count on `a` (same instance) and, when given, on `b` (another
/// instance on the same database); appends always go to `a`.
pub async fn measure(
    fixture: &Fixture,
    a: &Server,
    b: Option<&Server>,
    subscriber_counts: &[usize],
) -> anyhow::Result<()> {
    for &count in subscriber_counts {
        let mut targets = vec![("same instance", a)];
        if let Some(b) = b {
            targets.push(("cross-instance", b));
        }
        for (label, readers) in targets {
            let (p50, p99, received, rss) = round(fixture, a, readers, count).await?;
            println!(
                "stream {count} subscribers, {label}: append→received p50 {p50:.1} ms, p99 {p99:.1} ms \
                 ({received} of {} deliveries); server RSS with them open {rss:.0} MiB",
                count * APPENDS
            );
        }
    }
    Ok(())
}

async fn round(
    fixture: &Fixture,
    writer: &Server,
    readers: &Server,
    count: usize,
) -> anyhow::Result<(f64, f64, usize, f64)> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .context("client")?;
    let created: Value = client
        .post(format!("{}/api/orgs/{}/conversations", writer.base, fixture.org))
        .bearer_auth(&fixture.token)
        .json(&json!({ "title": "streamed" }))
        .send()
        .await?
        .json()
        .await?;
    let conversation = created["id"].as_str().context("conversation id")?.to_owned();
    let url = format!(
        "{}/api/orgs/{}/conversations/{conversation}/events/stream?start_id=0",
        readers.base, fixture.org
    );
    let mut arrivals: Vec<Arrivals> = Vec::with_capacity(count);
    let mut tasks = Vec::with_capacity(count);
    for _ in 0..count {
        let response = client.get(&url).bearer_auth(&fixture.token).send().await?;
        anyhow::ensure!(response.status() == 200, "stream refused: {}", response.status());
        let seen: Arrivals = Arc::default();
        arrivals.push(seen.clone());
        tasks.push(tokio::spawn(read(response, seen)));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss = readers.current_rss_mib();

    let mut sent = Vec::with_capacity(APPENDS);
    for n in 0..APPENDS {
        sent.push(Instant::now());
        let status = client
            .post(format!(
                "{}/api/orgs/{}/conversations/{conversation}/events",
                writer.base, fixture.org
            ))
            .bearer_auth(&fixture.token)
            .json(&json!({ "kind": "bench", "n": n }))
            .send()
            .await?
            .status();
        anyhow::ensure!(status == 201, "append failed: {status}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let delivered = || {
        arrivals
            .iter()
            .map(|seen| seen.lock().map_or(0, |seen| seen.len()))
            .sum::<usize>()
    };
    while delivered() < count * APPENDS && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for task in &tasks {
        task.abort();
    }
    let mut latencies: Vec<f64> = arrivals
        .iter()
        .flat_map(|seen| seen.lock().map(|seen| seen.clone()).unwrap_or_default())
        .filter_map(|(id, at)| {
            let sent = sent.get(usize::try_from(id).ok()?)?;
            Some(at.duration_since(*sent).as_secs_f64() * 1000.0)
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    Ok((at(0.5), at(0.99), latencies.len(), rss))
}

async fn read(mut response: reqwest::Response, seen: Arrivals) {
    let mut buffer = String::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let now = Instant::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if let Some(id) = block
                .lines()
                .find_map(|line| line.strip_prefix("id: "))
                .and_then(|id| id.parse().ok())
                && let Ok(mut seen) = seen.lock()
            {
                seen.push((id, now));
            }
        }
    }
}

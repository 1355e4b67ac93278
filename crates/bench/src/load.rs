//! Fixed-duration, fixed-concurrency load and its figures.

use std::time::{Duration, Instant};

use futures::future::join_all;
use serde_json::{Value, json};

use crate::{seed::Fixture, server::Server};

/// What is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// `GET /api/auth/me`.
    Me,
    /// List conversations, limit 20.
    List,
    /// Get one conversation.
    Get,
    /// Read 100 events.
    ReadEvents,
    /// Append one event.
    AppendOne,
    /// Append a batch of 100 events.
    AppendBatch,
    /// Log in (argon2id).
    Login,
    /// Register (argon2id + a transaction).
    Register,
    /// An agent server's webhook batch of 5 events, half of them a redelivery of the previous batch.
    IngestFive,
    /// The same with batches of 100.
    IngestHundred,
}

impl Scenario {
    /// Every scenario, in run order.
    pub const ALL: [Scenario; 10] = [
        Scenario::Me,
        Scenario::List,
        Scenario::Get,
        Scenario::ReadEvents,
        Scenario::AppendOne,
        Scenario::AppendBatch,
        Scenario::Login,
        Scenario::Register,
        Scenario::IngestFive,
        Scenario::IngestHundred,
    ];

    /// Short name.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Me => "me",
            Scenario::List => "list",
            Scenario::Get => "get",
            Scenario::ReadEvents => "read-100-events",
            Scenario::AppendOne => "append-1",
            Scenario::AppendBatch => "append-100",
            Scenario::Login => "login",
            Scenario::Register => "register",
            Scenario::IngestFive => "ingest-5",
            Scenario::IngestHundred => "ingest-100",
        }
    }

    /// Events each request of an ingest scenario stores anew (the other half is deduplicated).
    pub fn new_events_per_request(self) -> Option<usize> {
        match self {
            Scenario::IngestFive => Some(5 / 2 + 1),
            Scenario::IngestHundred => Some(50),
            _ => None,
        }
    }
}

/// One scenario's figures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// Scenario name.
    pub name: String,
    /// Requests per second.
    pub rps: f64,
    /// Median latency, ms.
    pub p50: f64,
    /// 90th percentile, ms.
    pub p90: f64,
    /// 99th percentile, ms.
    pub p99: f64,
    /// Requests answered with something other than 2xx (or not answered).
    pub non_2xx: usize,
    /// Requests made.
    pub requests: usize,
    /// Server peak RSS so far, MiB.
    pub peak_rss_mib: f64,
    /// Share of one core the load generator itself used, percent.
    pub client_cpu_percent: f64,
    /// Requests/s as a fraction of the database ceiling measured in the same run, if any.
    pub ratio_to_ceiling: Option<f64>,
}

impl Report {
    fn from_samples(
        name: &str,
        mut micros: Vec<u64>,
        non_2xx: usize,
        elapsed: Duration,
        peak_rss_mib: f64,
        client_cpu: Duration,
    ) -> Self {
        micros.sort_unstable();
        let pick = |q: f64| {
            if micros.is_empty() {
                return 0.0;
            }
            let index = ((micros.len() as f64 * q).ceil() as usize).clamp(1, micros.len()) - 1;
            micros[index] as f64 / 1000.0
        };
        Self {
            name: name.to_owned(),
            rps: micros.len() as f64 / elapsed.as_secs_f64(),
            p50: pick(0.50),
            p90: pick(0.90),
            p99: pick(0.99),
            non_2xx,
            requests: micros.len(),
            peak_rss_mib,
            client_cpu_percent: 100.0 * client_cpu.as_secs_f64() / elapsed.as_secs_f64(),
            ratio_to_ceiling: None,
        }
    }

    /// One line for the console.
    pub fn line(&self) -> String {
        let ratio = self
            .ratio_to_ceiling
            .map(|ratio| format!("  {ratio:.2} of ceiling"))
            .unwrap_or_default();
        let line = format!(
            "{:<22} {:>9.0} req/s  p50 {:>7.2} ms  p90 {:>7.2} ms  p99 {:>7.2} ms  non-2xx {:>5}  peak RSS {:>6.1} MiB  client CPU {:>3.0}%",
            self.name,
            self.rps,
            self.p50,
            self.p90,
            self.p99,
            self.non_2xx,
            self.peak_rss_mib,
            self.client_cpu_percent
        );
        line + &ratio
    }

    /// A Markdown table of reports.
    pub fn table(reports: &[Report]) -> String {
        let mut table = String::from(
            "| scenario | requests | req/s | of ceiling | p50 ms | p90 ms | p99 ms | non-2xx | peak RSS MiB | client CPU % |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for r in reports {
            let ratio = r
                .ratio_to_ceiling
                .map_or_else(|| "–".to_owned(), |ratio| format!("{ratio:.2}"));
            table.push_str(&format!(
                "| {} | {} | {:.0} | {} | {:.2} | {:.2} | {:.2} | {} | {:.1} | {:.0} |\n",
                r.name,
                r.requests,
                r.rps,
                ratio,
                r.p50,
                r.p90,
                r.p99,
                r.non_2xx,
                r.peak_rss_mib,
                r.client_cpu_percent
            ));
        }
        table
    }
}

/// A client with a connection per load task.
pub fn client(connections: usize) -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(connections * 2)
        .build()
        .unwrap_or_default()
}

fn request(
    client: &reqwest::Client,
    base: &str,
    fixture: &Fixture,
    scenario: Scenario,
    task: usize,
    n: usize,
) -> reqwest::RequestBuilder {
    let org = &fixture.org;
    let pick = |list: &[String]| list[(task * 7919 + n * 104_729) % list.len()].clone();
    let token = fixture.token.as_str();
    match scenario {
        Scenario::Me => client.get(format!("{base}/api/auth/me")).bearer_auth(token),
        Scenario::List => client
            .get(format!("{base}/api/orgs/{org}/conversations?limit=20"))
            .bearer_auth(token),
        Scenario::Get => {
            let id = pick(&fixture.conversations);
            client
                .get(format!("{base}/api/orgs/{org}/conversations/{id}"))
                .bearer_auth(token)
        }
        Scenario::ReadEvents => {
            let start = (task * 131 + n * 17) % 900;
            client
                .get(format!(
                    "{base}/api/orgs/{org}/conversations/{}/events?start_id={start}&limit=100",
                    fixture.events_conversation
                ))
                .bearer_auth(token)
        }
        Scenario::AppendOne | Scenario::AppendBatch => {
            // Each task appends to its own conversation, as each agent session would.
            let id = &fixture.conversations[1 + task % (fixture.conversations.len() - 1)];
            let body = if scenario == Scenario::AppendOne {
                json!({ "kind": "action", "n": n })
            } else {
                Value::Array(
                    (0..100)
                        .map(|i| json!({ "kind": "observation", "n": n, "i": i }))
                        .collect(),
                )
            };
            client
                .post(format!("{base}/api/orgs/{org}/conversations/{id}/events"))
                .bearer_auth(token)
                .json(&body)
        }
        Scenario::Login => client
            .post(format!("{base}/api/auth/login"))
            .json(&json!({ "email": fixture.email, "password": fixture.password })),
        Scenario::Register => client.post(format!("{base}/api/auth/register")).json(&json!({
            "email": format!("user-{task}-{n}-{}@example.com", uuid::Uuid::new_v4().simple()),
            "password": fixture.password,
        })),
        Scenario::IngestFive | Scenario::IngestHundred => {
            // One conversation per task, as one agent server per sandbox; each batch repeats the
            // second half of the previous one, as a redelivery after a lost answer would.
            let size = if scenario == Scenario::IngestFive { 5 } else { 100 };
            let step = size - size / 2;
            let conversation = uuid::Uuid::from_u128(
                0x7e4a_0000_0000_4000_8000_0000_0000_0000 + task as u128 + size as u128 * 1000,
            );
            let events: Vec<Value> = (n * step..n * step + size)
                .map(|i| {
                    json!({
                        "id": format!("{}-{i}", conversation.simple()),
                        "kind": "MessageEvent",
                        "source": "agent",
                        "timestamp": "2026-11-23T10:00:00.000000",
                        "llm_message": { "role": "assistant", "content": [{ "type": "text", "text": "x".repeat(200) }] }
                    })
                })
                .collect();
            client
                .post(format!("{base}/api/v1/webhooks/events/{}", conversation.simple()))
                .header("X-Session-API-Key", &fixture.sandbox_key)
                .json(&Value::Array(events))
        }
    }
}

async fn drive(
    client: &reqwest::Client,
    base: &str,
    fixture: &Fixture,
    scenario: Scenario,
    task: usize,
    deadline: Instant,
) -> (Vec<u64>, usize) {
    let mut micros = Vec::with_capacity(4096);
    let mut failures = 0;
    let mut n = 0;
    while Instant::now() < deadline {
        let started = Instant::now();
        let ok = match request(client, base, fixture, scenario, task, n).send().await {
            Ok(response) => {
                let ok = response.status().is_success();
                let _ = response.bytes().await;
                ok
            }
            Err(_) => false,
        };
        micros.push(started.elapsed().as_micros() as u64);
        if !ok {
            failures += 1;
        }
        n += 1;
    }
    (micros, failures)
}

/// Runs `scenario` with `connections` concurrent loops for `duration`.
pub async fn run_scenario(
    client: &reqwest::Client,
    server: &Server,
    fixture: &Fixture,
    scenario: Scenario,
    connections: usize,
    duration: Duration,
) -> Report {
    let started = Instant::now();
    let cpu = process_cpu_time();
    let deadline = started + duration;
    let tasks = (0..connections).map(|task| drive(client, &server.base, fixture, scenario, task, deadline));
    let results = join_all(tasks).await;
    let elapsed = started.elapsed();
    let non_2xx = results.iter().map(|(_, failures)| failures).sum();
    let micros = results.into_iter().flat_map(|(micros, _)| micros).collect();
    Report::from_samples(
        scenario.name(),
        micros,
        non_2xx,
        elapsed,
        server.peak_rss_mib(),
        process_cpu_time().saturating_sub(cpu),
    )
}

/// Measures `GET /api/auth/me` while 16 logins run back to back.
pub async fn login_storm(
    client: &reqwest::Client,
    server: &Server,
    fixture: &Fixture,
    connections: usize,
    duration: Duration,
) -> Report {
    let started = Instant::now();
    let cpu = process_cpu_time();
    let deadline = started + duration;
    let storm =
        join_all((0..16).map(|task| drive(client, &server.base, fixture, Scenario::Login, task, deadline)));
    let reads = join_all(
        (0..connections).map(|task| drive(client, &server.base, fixture, Scenario::Me, task, deadline)),
    );
    let (_, reads) = tokio::join!(storm, reads);
    let elapsed = started.elapsed();
    let non_2xx = reads.iter().map(|(_, failures)| failures).sum();
    let micros = reads.into_iter().flat_map(|(micros, _)| micros).collect();
    Report::from_samples(
        "me during 16 logins",
        micros,
        non_2xx,
        elapsed,
        server.peak_rss_mib(),
        process_cpu_time().saturating_sub(cpu),
    )
}

/// CPU time this process (the load generator) has used so far, from `/proc/self/stat`.
fn process_cpu_time() -> Duration {
    let ticks_per_second = 100.0; // USER_HZ on Linux
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at the last ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|value| value.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line: 11 and 12 counted from the state field.
    Duration::from_secs_f64((ticks(11) + ticks(12)) / ticks_per_second)
}

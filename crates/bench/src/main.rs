//! `tenantry-bench`: starts a release `tenantry serve` on a fresh database, seeds it through the API,
//! drives fixed-duration, fixed-concurrency load from this separate process and prints, per scenario,
//! requests/s, p50/p90/p99 latency, non-2xx responses and the server's peak RSS. Figures only: it never
//! fails on a slow result.
//!
//! The load generator runs on one thread (a current-thread runtime), so on a small machine it takes
//! at most one core from the server and the database; each scenario reports how much of that core
//! it used. On PostgreSQL, pgbench runs the list's statements under the same conditions, and every
//! scenario is also given as a fraction of that ceiling.

mod agent_start;
mod ceiling;
mod load;
mod porting;
mod sandbox_starts;
mod scale;
mod seed;
mod server;
mod streams;

use std::time::Duration;

use clap::{Parser, ValueEnum};

use crate::{
    load::{Report, Scenario, run_scenario},
    server::{BenchDatabase, Server},
};

/// Which database the server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DatabaseKind {
    /// A fresh SQLite file.
    Sqlite,
    /// A fresh database on the PostgreSQL server `--postgres-url` names.
    Postgres,
}

#[derive(Debug, Parser)]
#[command(name = "tenantry-bench", about = "Measure a release tenantry server")]
struct Args {
    /// Database the server uses.
    #[arg(long, value_enum, default_value_t = DatabaseKind::Sqlite)]
    database: DatabaseKind,
    /// PostgreSQL server for `--database postgres` (a fresh database is created on it).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    postgres_url: String,
    /// Seconds each scenario runs.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Concurrent connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Also seed 1,000,000 conversations over 1,000 orgs (100,000 in the measured org) and compare.
    #[arg(long)]
    scale: bool,
    /// Also measure `GET /api/auth/me` while 16 logins run without pause.
    #[arg(long)]
    login_storm: bool,
    /// Also start this many conversations on a real agent server, through Tenantry and directly, and
    /// print what Tenantry adds (needs openhands-agent-server; 0: skip).
    #[arg(long, default_value_t = 0)]
    agent_starts: usize,
    /// Also start this many sandboxes one after the other (Tenantry runs the agent servers) and
    /// print the time to RUNNING and to the first reply, and the memory of an idle sandbox (needs
    /// openhands-agent-server; 0: skip).
    #[arg(long, default_value_t = 0)]
    sandbox_starts: usize,
    /// With `--sandbox-starts`, then keep up to this many sandboxes running at once, reporting each
    /// start's time, until a start takes half again as long as the first.
    #[arg(long, default_value_t = 0)]
    sandbox_capacity: usize,
    /// Also measure live streams with these subscriber counts (e.g. `100,1000`), on this instance
    /// and, on PostgreSQL, on a second one.
    #[arg(long, value_delimiter = ',')]
    streams: Vec<usize>,
    /// Also import OpenHands file stores of these many conversations × 1,000 events and export
    /// the org (e.g. `10,100`): time, events/s and peak RSS of each command.
    #[arg(long, value_delimiter = ',')]
    porting: Vec<usize>,
    /// Only these scenarios (default: all).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Also write the figures as JSON to this file.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
}

/// What `--json` writes.
#[derive(serde::Serialize)]
struct JsonReport<'a> {
    database: &'static str,
    connections: usize,
    duration_secs: u64,
    ceiling_tps: Option<f64>,
    scenarios: &'a [Report],
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let duration = Duration::from_secs(args.duration);
    let database = BenchDatabase::create(args.database == DatabaseKind::Postgres, &args.postgres_url).await?;
    let server = Server::start(&database).await?;
    println!(
        "server ready in {} ms on a fresh {} database",
        server.ready_ms,
        database.kind()
    );
    let client = load::client(args.connections);
    let fixture = seed::seed(&client, &server.base).await?;
    println!(
        "seeded: 1 user, 1 org, {} conversations, one with {} events",
        seed::CONVERSATIONS,
        seed::EVENTS
    );

    // The ceiling first, on the freshly seeded database with the server idle: later scenarios
    // leave thousands of new rows (and autovacuum work) behind.
    let ceiling_tps = if args.database == DatabaseKind::Postgres {
        match ceiling::pgbench_list(&database, &fixture, args.connections, duration).await {
            Ok(tps) => {
                println!("pgbench ceiling for the list statements: {tps:.0} tx/s");
                Some(tps)
            }
            Err(error) => {
                println!("pgbench ceiling not measured: {error}");
                None
            }
        }
    } else {
        None
    };

    // A fresh pool: the server closed the seeding connections while pgbench ran.
    let client = load::client(args.connections);
    let mut reports: Vec<Report> = Vec::new();
    for scenario in Scenario::ALL {
        if !args.only.is_empty() && !args.only.iter().any(|name| name == scenario.name()) {
            continue;
        }
        let mut report = run_scenario(&client, &server, &fixture, scenario, args.connections, duration).await;
        report.ratio_to_ceiling = ceiling_tps.map(|tps| report.rps / tps);
        println!("{}", report.line());
        if let Some(new) = scenario.new_events_per_request() {
            println!(
                "  {}: {:.0} events/s stored from {} concurrent conversations, duplicates skipped",
                scenario.name(),
                report.rps * new as f64,
                args.connections
            );
        }
        reports.push(report);
    }

    if args.login_storm {
        let report = load::login_storm(&client, &server, &fixture, args.connections, duration).await;
        println!("{}", report.line());
        reports.push(report);
    }

    if !args.streams.is_empty() {
        let second = if args.database == DatabaseKind::Postgres {
            Some(Server::start(&database).await?)
        } else {
            println!("streams: SQLite serves one instance; cross-instance measured on PostgreSQL only");
            None
        };
        streams::measure(&fixture, &server, second.as_ref(), &args.streams).await?;
        if let Some(second) = second {
            second.stop();
        }
    }

    if !args.porting.is_empty() {
        porting::measure(&server, &database, &fixture, &args.porting).await?;
    }

    if args.agent_starts > 0 {
        agent_start::measure(&client, &server.base, &fixture, args.agent_starts).await?;
    }

    if args.sandbox_starts > 0 {
        sandbox_starts::measure(
            &client,
            &server.base,
            &fixture,
            args.sandbox_starts,
            args.sandbox_capacity,
        )
        .await?;
    }

    let restart = server.restart_ready_ms(&database).await?;
    println!("serve ready in {restart} ms on the existing database");

    if args.scale {
        let server = server.into_restarted(&database).await?;
        scale::seed_scale(&database, &fixture).await?;
        for scenario in [Scenario::List, Scenario::Get] {
            let report = run_scenario(&client, &server, &fixture, scenario, args.connections, duration).await;
            println!("{} (1M rows)", report.line());
        }
        server.stop();
    } else {
        server.stop();
    }
    println!("{}", Report::table(&reports));
    if let Some(path) = &args.json {
        let document = JsonReport {
            database: database.kind(),
            connections: args.connections,
            duration_secs: args.duration,
            ceiling_tps,
            scenarios: &reports,
        };
        std::fs::write(path, serde_json::to_vec_pretty(&document)?)?;
        println!("figures written to {}", path.display());
    }
    database.drop_database().await?;
    Ok(())
}

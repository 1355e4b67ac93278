//! `tenantry export` and `tenantry import openhands`: an org's data out as an archive, and other
//! stores (or Tenantry archives) in.

use std::{
    io::{IsTerminal, Write},
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use tenantry_domain::{OrgId, import::ImportProblem, ports::ImportProgress, services::ImportSummary};
use tenantry_porting::{ArchiveSink, open_source};
use tokio::sync::mpsc;

use crate::{
    Config,
    application::open_database,
    wiring::{Adapters, Wired, build_services},
};

/// What `tenantry import openhands` was asked to do.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// The user it is imported as (and whose personal org it goes to by default).
    pub user: String,
    /// The org it goes to instead.
    pub org: Option<OrgId>,
    /// The store.
    pub path: PathBuf,
    /// Read everything, write nothing.
    pub dry_run: bool,
    /// The agent server's `OH_SECRET_KEY`.
    pub secret_key: Option<String>,
}

async fn wired(config: &Config) -> anyhow::Result<(Wired, Adapters, tenantry_sql::SqlDatabase)> {
    // A one-shot pass over the whole org reads every event once: a cache would only hold memory.
    let mut config = config.clone();
    config.storage.event_cache_bytes = 0;
    let config = &config;
    let database = open_database(config).await?;
    database.migrate_up().await?;
    let adapters = Adapters::sql(config, &database, &prometheus::Registry::new())?;
    let wired = build_services(config, adapters.clone()).await?;
    Ok((wired, adapters, database))
}

/// Writes the org's archive to standard output.
pub async fn export(config: &Config, org: OrgId) -> anyhow::Result<()> {
    let (wired, _, database) = wired(config).await?;
    let (chunks, mut archive) = mpsc::channel(8);
    let mut sink = ArchiveSink::new(chunks)?;
    let writer = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut stdout = std::io::stdout().lock();
        while let Some(chunk) = archive.blocking_recv() {
            stdout.write_all(&chunk?)?;
        }
        stdout.flush()?;
        Ok(())
    });
    let exported = wired.state.export.export_as_operator(org, &mut sink).await;
    drop(sink);
    let written = writer.await?;
    database.close().await?;
    exported.with_context(|| format!("export of org {org}"))?;
    written.context("writing the archive")
}

/// A progress bar on a terminal; problems go to standard error either way.
struct Progress {
    bar: ProgressBar,
    events: AtomicU64,
}

impl Progress {
    fn new(total: u64) -> Self {
        let bar = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template("{bar:40} {pos}/{len} conversations, {msg} [{elapsed}]")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        } else {
            ProgressBar::hidden()
        };
        Self {
            bar,
            events: AtomicU64::new(0),
        }
    }
}

impl ImportProgress for Progress {
    fn conversation_done(&self, events: u64) {
        self.bar.inc(1);
        let total = self.events.fetch_add(events, Ordering::Relaxed) + events;
        self.bar.set_message(format!("{total} events"));
    }

    fn problem(&self, problem: &ImportProblem) {
        self.bar.suspend(|| eprintln!("skipped {problem}"));
    }
}

/// Imports the store at `request.path`; prints a summary; fails when anything was skipped.
pub async fn import(config: &Config, request: ImportRequest) -> anyhow::Result<()> {
    let (wired, adapters, database) = wired(config).await?;
    let admin = tenantry_domain::services::AdminService::new(
        wired.state.identity.clone(),
        tenantry_domain::services::AdminPorts {
            accounts: adapters.accounts.clone(),
            credentials: adapters.credentials.clone(),
            unit_of_work: adapters.unit_of_work.clone(),
            clock: adapters.clock.clone(),
            signals: adapters.signals.clone(),
        },
    );
    let (caller, personal) = admin
        .act_as(&request.user)
        .await
        .with_context(|| format!("user {}", request.user))?;
    let org = request.org.unwrap_or(personal);
    let (kind, mut source) = open_source(&request.path, request.secret_key.clone())
        .await
        .map_err(|problem| anyhow::anyhow!("{problem}"))?;
    eprintln!(
        "importing the {} at {} into org {org}{}",
        kind.name(),
        request.path.display(),
        if request.dry_run {
            " (dry run: nothing is written)"
        } else {
            ""
        }
    );
    let progress = Arc::new(Progress::new(source.conversation_count()));
    let started = std::time::Instant::now();
    let summary = wired
        .import
        .run(&caller, org, source.as_mut(), progress.as_ref(), request.dry_run)
        .await;
    progress.bar.finish_and_clear();
    database.close().await?;
    let summary = summary?;
    print_summary(&summary, started.elapsed());
    if summary.problems.is_empty() {
        Ok(())
    } else {
        anyhow::bail!(
            "{} item(s) could not be imported (listed above)",
            summary.problems.len()
        )
    }
}

fn print_summary(summary: &ImportSummary, took: Duration) {
    let seconds = took.as_secs_f64().max(1e-9);
    println!(
        "conversations: {} created, {} resumed, {} already complete",
        summary.created, summary.resumed, summary.unchanged
    );
    println!(
        "events: {} ({:.0}/s over {:.1} s)",
        summary.events,
        summary.events as f64 / seconds,
        took.as_secs_f64()
    );
    println!(
        "settings: {} field(s) filled; secrets: {} stored; {} kept as the org had them",
        summary.settings, summary.secrets, summary.kept
    );
    println!("skipped: {}", summary.problems.len());
    for problem in &summary.problems {
        println!("  {problem}");
    }
}

//! The command line: `serve`, `migrate up|down|status`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use tenantry_sql::MigrationState;

use crate::{Application, Config, application::open_database, telemetry};

/// Tenantry: a multi-tenant backend for AI coding-agent platforms.
#[derive(Debug, Parser)]
#[command(name = "tenantry", version, about)]
pub struct Cli {
    /// An extra TOML configuration file (overrides config/default.toml; environment overrides both).
    #[arg(long, global = true, env = "TENANTRY_CONFIG")]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations and serve the API.
    Serve,
    /// Manage the database schema.
    Migrate {
        /// The migration action.
        #[command(subcommand)]
        action: MigrateAction,
    },
}

/// `migrate` actions.
#[derive(Debug, Subcommand)]
pub enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Revert migrations (one by default).
    Down {
        /// How many to revert.
        #[arg(long, default_value_t = 1, conflicts_with = "all")]
        steps: u32,
        /// Revert every migration (drops all of Tenantry's tables).
        #[arg(long)]
        all: bool,
    },
    /// List migrations and whether each is applied.
    Status,
}

impl Cli {
    /// Runs the chosen command.
    pub async fn run(self) -> anyhow::Result<()> {
        let config = Config::load(self.config.as_deref())?;
        telemetry::init(&config.log);
        match self.command {
            Command::Serve => Application::build(config).await?.run_until_stopped().await,
            Command::Migrate { action } => migrate(&config, action).await,
        }
    }
}

async fn migrate(config: &Config, action: MigrateAction) -> anyhow::Result<()> {
    let database = open_database(config).await?;
    match action {
        MigrateAction::Up => {
            let applied = database.migrate_up().await?;
            println!("applied {applied} migration(s)");
        }
        MigrateAction::Down { steps, all } => {
            database
                .migrate_down(if all { None } else { Some(steps) })
                .await?;
            println!(
                "reverted {}",
                if all {
                    "every migration".to_owned()
                } else {
                    format!("{steps} migration(s)")
                }
            );
        }
        MigrateAction::Status => {
            for migration in database.migration_status().await? {
                let state = match migration.state {
                    MigrationState::Applied => "applied",
                    MigrationState::Pending => "pending",
                };
                println!("{state:8} {}", migration.name);
            }
        }
    }
    database.close().await?;
    Ok(())
}

//! The command line: `serve`, `migrate`, `openapi`, `users`, `superadmin`, `keys`, `export`, `import`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use tenantry_sql::MigrationState;

use std::sync::Arc;

use tenantry_crypto::KeyRing;
use tenantry_domain::{
    SecretString,
    ports::SecretCipher,
    services::{AdminPorts, AdminService},
};

use crate::{
    Application, Config,
    application::open_database,
    porting_commands::{self, ImportRequest},
    telemetry,
    wiring::{Adapters, build_services, key_ring, key_ring_path, secret_service},
};

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
    /// Print the OpenAPI document of the HTTP API.
    Openapi,
    /// Manage users.
    Users {
        /// The user action.
        #[command(subcommand)]
        action: UsersAction,
    },
    /// Grant or revoke superadmin.
    Superadmin {
        /// The superadmin action.
        #[command(subcommand)]
        action: SuperadminAction,
    },
    /// Operator settings of orgs.
    Orgs {
        /// The org action.
        #[command(subcommand)]
        action: OrgsAction,
    },
    /// Manage the keys secrets are encrypted with.
    Keys {
        /// The key action.
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Write an org's data as a tar.gz archive to standard output (as its owner).
    Export {
        /// The org.
        #[arg(long)]
        org: uuid::Uuid,
    },
    /// Import another store.
    Import {
        /// What kind of store.
        #[command(subcommand)]
        source: ImportCommand,
    },
}

/// `orgs` actions.
#[derive(Debug, Subcommand)]
pub enum OrgsAction {
    /// Set the org's own rate limit (requests per minute; 0 is unlimited), or go back to the
    /// configured one with `--default`. Every instance applies it within its sync interval.
    RateLimit {
        /// The org.
        org: uuid::Uuid,
        /// Requests per minute.
        #[arg(long, required_unless_present = "default", conflicts_with = "default")]
        per_minute: Option<u32>,
        /// Use `rate_limits.per_org` again.
        #[arg(long)]
        default: bool,
    },
    /// Set how many sandboxes the org may run at once (0 is unlimited), or go back to the
    /// configured figure with `--default`. Applies to the next start.
    SandboxLimit {
        /// The org.
        org: uuid::Uuid,
        /// Running sandboxes.
        #[arg(long, required_unless_present = "default", conflicts_with = "default")]
        max: Option<u32>,
        /// Use `sandboxes.max_running_per_org` again.
        #[arg(long)]
        default: bool,
    },
}

/// `import` sources.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// An OpenHands store (an agent server's conversations directory or a single-user file store)
    /// or a Tenantry org export (.tar.gz). Idempotent: a second run imports nothing twice, and a
    /// run stopped half-way goes on where it stopped.
    Openhands {
        /// The user it is imported as.
        #[arg(long)]
        user: String,
        /// The org it goes to (default: the user's personal org).
        #[arg(long)]
        org: Option<uuid::Uuid>,
        /// Read everything and report, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// The agent server's OH_SECRET_KEY, to decrypt the LLM key and secrets it stored.
        #[arg(long, env = "OH_SECRET_KEY", hide_env_values = true)]
        secret_key: Option<String>,
        /// The store: a directory or an archive.
        path: PathBuf,
    },
}

/// `users` actions.
#[derive(Debug, Subcommand)]
pub enum UsersAction {
    /// Create a user with a personal org. The password is read from stdin (one line).
    Create {
        /// Email.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
    },
    /// List users.
    List {
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: u64,
    },
    /// Disable a user: their tokens and API keys stop working at once.
    Disable {
        /// Email.
        email: String,
    },
    /// Enable a disabled user again.
    Enable {
        /// Email.
        email: String,
    },
    /// Mark a user's email verified, as the mailed link would (for an install whose mail does not
    /// reach people yet).
    Verify {
        /// Email.
        email: String,
    },
}

/// `superadmin` actions.
#[derive(Debug, Subcommand)]
pub enum SuperadminAction {
    /// Make a user superadmin.
    Grant {
        /// Email.
        email: String,
    },
    /// Take superadmin away (the last one cannot be revoked).
    Revoke {
        /// Email.
        email: String,
    },
}

/// `keys` actions.
#[derive(Debug, Subcommand)]
pub enum KeysAction {
    /// Add a new key and make it current (the key ring file; with configured keys, print a new entry).
    Rotate,
    /// Rewrite every stored secret under the current key, in batches; resumable, safe while serving.
    Reencrypt {
        /// Values rewritten per batch.
        #[arg(long, default_value_t = 100)]
        batch: u64,
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
        if let Command::Openapi = self.command {
            println!("{}", tenantry_http::openapi_json());
            return Ok(());
        }
        let config = Config::load(self.config.as_deref())?;
        telemetry::init(&config.log);
        match self.command {
            Command::Openapi => Ok(()),
            Command::Serve => {
                crate::file_limit::raise_open_file_limit();
                Application::build(config).await?.run_until_stopped().await
            }
            Command::Migrate { action } => migrate(&config, action).await,
            Command::Keys { action } => keys(&config, action).await,
            Command::Users { action } => users(&config, action).await,
            Command::Superadmin { action } => superadmin(&config, action).await,
            Command::Orgs { action } => orgs(&config, action).await,
            Command::Export { org } => porting_commands::export(&config, org).await,
            Command::Import {
                source:
                    ImportCommand::Openhands {
                        user,
                        org,
                        dry_run,
                        secret_key,
                        path,
                    },
            } => {
                let request = ImportRequest {
                    user,
                    org,
                    path,
                    dry_run,
                    secret_key,
                };
                porting_commands::import(&config, request).await
            }
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

async fn keys(config: &Config, action: KeysAction) -> anyhow::Result<()> {
    match action {
        KeysAction::Rotate => {
            if config.secrets.configured() {
                let (id, key) = KeyRing::new_config_entry();
                println!(
                    "keys are configured; append this entry to secrets.keys and set secrets.current_key = \"{id}\":"
                );
                println!("{id}:{key}");
            } else {
                let path = key_ring_path(config);
                key_ring(config)?;
                let (id, _) = KeyRing::rotate_file(&path).map_err(anyhow::Error::msg)?;
                println!(
                    "added key {id} to {} and made it current; restart servers, then run `tenantry keys reencrypt`",
                    path.display()
                );
            }
        }
        KeysAction::Reencrypt { batch } => {
            let database = open_database(config).await?;
            let cipher: Arc<dyn SecretCipher> = Arc::new(key_ring(config)?);
            let service = secret_service(&database, cipher);
            let mut total = 0;
            loop {
                let report = service.reencrypt_batch(batch).await?;
                total += report.rewritten;
                if report.rewritten == 0 && report.skipped == 0 {
                    break;
                }
            }
            println!(
                "re-encrypted {total} value(s); keys in use: {}",
                service.key_ids_in_use().await?.join(", ")
            );
            database.close().await?;
        }
    }
    Ok(())
}

async fn admin_service(config: &Config) -> anyhow::Result<(AdminService, tenantry_sql::SqlDatabase)> {
    let database = open_database(config).await?;
    database.migrate_up().await?;
    let adapters = Adapters::sql(config, &database, &prometheus::Registry::new())?;
    let ports = AdminPorts {
        accounts: adapters.accounts.clone(),
        credentials: adapters.credentials.clone(),
        unit_of_work: adapters.unit_of_work.clone(),
        clock: adapters.clock.clone(),
        signals: adapters.signals.clone(),
    };
    let wired = build_services(config, adapters).await?;
    let admin = AdminService::new(wired.state.identity, ports);
    Ok((admin, database))
}

fn describe(user: &tenantry_domain::User) -> String {
    let mut flags = Vec::new();
    if user.is_superadmin {
        flags.push("superadmin");
    }
    if user.disabled_at.is_some() {
        flags.push("disabled");
    }
    if user.email_verified_at.is_none() {
        flags.push("unverified");
    }
    format!("{}  {}  {}  {}", user.id, user.email, user.name, flags.join(","))
}

async fn users(config: &Config, action: UsersAction) -> anyhow::Result<()> {
    let (admin, database) = admin_service(config).await?;
    match action {
        UsersAction::Create { email, name } => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password)?;
            let password = password.trim_end_matches(['\n', '\r']).to_owned();
            let user = admin
                .create_user(&email, SecretString::new(password), name)
                .await?;
            println!("created {}", describe(&user));
        }
        UsersAction::List { limit } => {
            for user in admin.list_users(limit).await? {
                println!("{}", describe(&user));
            }
        }
        UsersAction::Disable { email } => println!("disabled {}", describe(&admin.disable(&email).await?)),
        UsersAction::Enable { email } => println!("enabled {}", describe(&admin.enable(&email).await?)),
        UsersAction::Verify { email } => {
            println!("verified {}", describe(&admin.verify_email(&email).await?))
        }
    }
    database.close().await?;
    Ok(())
}

async fn orgs(config: &Config, action: OrgsAction) -> anyhow::Result<()> {
    let database = open_database(config).await?;
    database.migrate_up().await?;
    match action {
        OrgsAction::RateLimit { org, per_minute, .. } => {
            tenantry_sql::SqlRequestCounters::set_org_limit(&database, org, per_minute)
                .await
                .map_err(|error| {
                    anyhow::anyhow!("cannot set the rate limit of {org} (does it exist?): {error}")
                })?;
            match per_minute {
                Some(limit) => println!("{org}: {limit} requests per minute"),
                None => println!("{org}: the configured limit"),
            }
        }
        OrgsAction::SandboxLimit { org, max, .. } => {
            tenantry_sql::SqlSandboxStore::set_org_limit(&database, org, max)
                .await
                .map_err(|error| {
                    anyhow::anyhow!("cannot set the sandbox limit of {org} (does it exist?): {error}")
                })?;
            match max {
                Some(max) => println!("{org}: at most {max} running sandboxes"),
                None => println!("{org}: the configured sandbox limit"),
            }
        }
    }
    database.close().await?;
    Ok(())
}

async fn superadmin(config: &Config, action: SuperadminAction) -> anyhow::Result<()> {
    let (admin, database) = admin_service(config).await?;
    match action {
        SuperadminAction::Grant { email } => {
            admin.grant_superadmin(&email).await?;
            println!("{email} is superadmin");
        }
        SuperadminAction::Revoke { email } => {
            admin.revoke_superadmin(&email).await?;
            println!("{email} is no longer superadmin");
        }
    }
    database.close().await?;
    Ok(())
}

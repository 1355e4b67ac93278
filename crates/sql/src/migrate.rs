use tenantry_migration::{Migrator, MigratorTrait};

use tenantry_domain::DomainError;

use sea_orm::{ConnectOptions, Database, DatabaseBackend, DatabaseConnection};

use crate::{
    SqlDatabase,
    errors::{db_error, unavailable},
};

/// Whether one migration is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationState {
    /// Not yet applied.
    Pending,
    /// Applied.
    Applied,
}

/// One migration and its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    /// The migration's name.
    pub name: String,
    /// Whether it is applied.
    pub state: MigrationState,
}

impl SqlDatabase {
    /// Applies every pending migration; returns how many ran.
    pub async fn migrate_up(&self) -> Result<usize, DomainError> {
        let pending = Migrator::get_pending_migrations(&self.conn)
            .await
            .map_err(db_error)?
            .len();
        let connection = self.migration_connection().await?;
        let outcome = Migrator::up(&connection, None).await.map_err(db_error);
        self.done_migrating(connection).await;
        outcome?;
        Ok(pending)
    }

    /// A connection of its own on PostgreSQL, opened without the pools' statement and lock
    /// timeouts: a migration may rewrite a large table or wait for a busy one. SQLite has no such
    /// bounds; its pool serves.
    async fn migration_connection(&self) -> Result<DatabaseConnection, DomainError> {
        if self.backend() != DatabaseBackend::Postgres {
            return Ok(self.conn.raw().clone());
        }
        let mut options = ConnectOptions::new(self.url.clone());
        options.max_connections(1).min_connections(0).sqlx_logging(false);
        Database::connect(options).await.map_err(unavailable)
    }

    async fn done_migrating(&self, connection: DatabaseConnection) {
        if self.backend() == DatabaseBackend::Postgres {
            connection.close().await.ok();
        }
    }

    /// Reverts the last `steps` migrations, or all of them when `None`.
    pub async fn migrate_down(&self, steps: Option<u32>) -> Result<(), DomainError> {
        let connection = self.migration_connection().await?;
        let outcome = Migrator::down(&connection, steps).await.map_err(db_error);
        self.done_migrating(connection).await;
        outcome
    }

    /// Every known migration with its state, oldest first.
    pub async fn migration_status(&self) -> Result<Vec<MigrationStatus>, DomainError> {
        let migrations = Migrator::get_migration_with_status(&self.conn)
            .await
            .map_err(db_error)?;
        Ok(migrations
            .iter()
            .map(|migration| MigrationStatus {
                name: migration.name().to_owned(),
                state: match migration.status() {
                    tenantry_migration::MigrationStatus::Applied => MigrationState::Applied,
                    _ => MigrationState::Pending,
                },
            })
            .collect())
    }
}

use tenantry_migration::{Migrator, MigratorTrait};

use tenantry_domain::DomainError;

use crate::{SqlDatabase, errors::db_error};

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
        Migrator::up(self.conn.raw(), None).await.map_err(db_error)?;
        Ok(pending)
    }

    /// Reverts the last `steps` migrations, or all of them when `None`.
    pub async fn migrate_down(&self, steps: Option<u32>) -> Result<(), DomainError> {
        Migrator::down(self.conn.raw(), steps).await.map_err(db_error)
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

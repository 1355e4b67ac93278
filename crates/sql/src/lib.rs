//! SeaORM adapters for Tenantry's repository ports, on PostgreSQL and SQLite alike.
//!
//! [`SqlDatabase::connect`] opens a pool tuned for a server; the store types implement the domain's
//! ports. SeaORM entities are an implementation detail of this crate and never leave it.

mod connect;
mod errors;
mod migrate;
mod probe;

pub use connect::{DatabaseOptions, SqlDatabase};
pub use migrate::{MigrationState, MigrationStatus};

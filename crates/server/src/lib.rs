//! The `tenantry` server: configuration, wiring of adapters and services, and the CLI behind the
//! binary. Self-hosted variants can reuse [`Application`] or copy its wiring with their own adapters.

pub mod application;
pub mod background;
pub mod bounded_probe;
pub mod cli;
pub mod config;
pub mod file_limit;
pub mod metrics;
pub mod porting_commands;
pub mod public_url;
pub mod startup_checks;
pub mod telemetry;
pub mod wiring;

pub use application::Application;
pub use config::Config;

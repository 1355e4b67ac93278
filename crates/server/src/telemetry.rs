//! Structured logs through `tracing`.

use tracing_subscriber::{EnvFilter, fmt};

use crate::config::LogConfig;

/// Installs the global subscriber: `RUST_LOG` if set, else the configured level; JSON or text.
/// Does nothing when a subscriber is already installed (as in tests).
pub fn init(config: &LogConfig) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.level));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if config.format == "json" {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

//! The harness: fresh databases, spawned apps, a typed client of the API, and the cast of users
//! most tests start from.

mod api;
mod app;
mod cast;
mod database;
mod dns_server;
pub mod node_tools;
pub mod oidc_provider;
mod process;
mod sandbox_reaper;
mod sse;
mod tcp_proxy;

pub use app::{Session, TEST_JWT_SECRET, TestApp, spawn_app, spawn_app_with, token_in_mail};
pub use cast::{Cast, org_with_cast, register_cast};
pub use database::TestDatabase;
pub use dns_server::DnsServer;
pub use process::{ServerProcess, free_port, tenantry_command};
pub use sandbox_reaper::SandboxReaper;
pub use sse::{SseEvent, SseStream};
pub use tcp_proxy::TcpProxy;

/// The password every test user registers with.
pub const PASSWORD: &str = "correct horse battery staple";

/// A refusal is 402 `budget_exceeded` naming the budget and what was spent (currency units).
pub fn assert_budget_exceeded(status: u16, refused: &serde_json::Value, budget: f64, spent: f64) {
    assert_eq!(
        (status, refused["code"].as_str()),
        (402, Some("budget_exceeded")),
        "{refused}"
    );
    assert_eq!(
        (refused["budget"].as_f64(), refused["spent"].as_f64()),
        (Some(budget), Some(spent)),
        "{refused}"
    );
}

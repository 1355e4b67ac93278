//! The harness: fresh databases, spawned apps, an HTTP client.
// Not every test module uses every helper.
#![allow(dead_code, unused_imports)]

mod app;
mod database;
mod process;
mod tcp_proxy;

pub use app::{S3_ENDPOINT_ENV, Session, TEST_JWT_SECRET, TestApp, spawn_app, spawn_app_with, token_in_mail};
pub use database::TestDatabase;
pub use process::{ServerProcess, free_port, tenantry_command};
pub use tcp_proxy::TcpProxy;

//! The harness: fresh databases, spawned apps, an HTTP client.
// Not every test module uses every helper.
#![allow(dead_code, unused_imports)]

mod app;
mod database;
mod process;

pub use app::{Session, TEST_JWT_SECRET, TestApp, spawn_app, spawn_app_with, token_in_mail};
pub use database::TestDatabase;
pub use process::{ServerProcess, tenantry_command};

//! End-to-end tests: the real server on a random port, talked to over HTTP, against a fresh database
//! (SQLite by default; PostgreSQL when `TENANTRY_TEST_DATABASE_URL` names a server) and a temporary
//! object-store directory. All tests are modules of this one binary.

mod support;

mod admin_cli;
pub(crate) mod agent_servers;
mod billing;
mod body_memory;
mod bounded_waits;
mod cloud_api;
mod console;
mod conversations;
mod database_recovery;
mod faults;
mod hardening;
mod health;
mod identity;
mod migrations;
mod multi_instance;
mod operations;
mod operators;
mod orgs;
mod porting;
mod process;
mod secrets;

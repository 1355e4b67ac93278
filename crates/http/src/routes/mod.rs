//! One module per area of the API.

pub(crate) mod admin;
pub(crate) mod auth;
pub(crate) mod billing;
pub(crate) mod cloud;
pub(crate) mod compat;
pub(crate) mod conversations;
pub(crate) mod health;
pub(crate) mod members;
pub mod metrics;
pub(crate) mod orgs;
pub(crate) mod sandboxes;
pub(crate) mod secrets;
pub(crate) mod settings;
pub(crate) mod sharing;
pub(crate) mod webhooks;

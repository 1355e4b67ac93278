//! One module per area of the API.

pub(crate) mod auth;
pub(crate) mod health;

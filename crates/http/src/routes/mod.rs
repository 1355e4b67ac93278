//! One module per area of the API.

pub(crate) mod health;

//! The use cases of this area: they decide, the ports carry out.

pub mod admin;
pub mod api_keys;
pub mod identity;
pub mod operator;

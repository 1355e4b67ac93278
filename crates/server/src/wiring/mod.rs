//! Configuration → adapters → services. [`Adapters::sql`] chooses the production adapters in one
//! place; a variant replaces the ones it swaps before [`build_services`] turns them into services
//! (see [`crate::Application::build_with`]).

mod adapters;
mod keys;
mod services;

pub use adapters::Adapters;
pub use keys::{key_ring, key_ring_path};
pub use services::{Wired, build_services, secret_service};

//! Tenantry's HTTP layer on actix-web: routes, extractors and the one mapping from domain errors to
//! RFC 9457 problem documents. Handlers stay thin: parse, call a service, map the result.

mod app;
mod auth;
mod dto;
mod extract_config;
mod paging;
mod problem;
mod routes;
mod state;

pub use app::{HttpOptions, configure};
pub use auth::Caller;
pub use problem::{ApiError, Problem};
pub use state::{AppState, AuthMode};

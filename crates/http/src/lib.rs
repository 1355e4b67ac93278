//! Tenantry's HTTP layer on actix-web: routes, extractors and the one mapping from domain errors to
//! RFC 9457 problem documents. Handlers stay thin: parse, call a service, map the result.

mod app;
mod auth;
mod body_budget;
mod body_deadline;
mod client_address;
mod console;
mod extract_config;
mod headers;
mod observe;
mod openapi;
mod paging;
mod problem;
pub mod problem_responses;
mod rate_limit_headers;
mod report_slots;
mod request_deadline;
mod routes;
mod state;
mod stream_limits;
mod wire;
pub mod wire_names;

pub use app::{HttpOptions, configure, configure_metrics_only};
pub use auth::{Caller, Claim};
pub use body_budget::{BodyBudget, body_budget};
pub use body_deadline::{BodyReading, body_deadline};
pub use client_address::{TrustedProxies, client_address};
pub use headers::security_headers;
pub use observe::observe;
pub use observe::{HttpMetrics, REQUEST_ID_HEADER};
pub use openapi::{ApiDoc, openapi_json};
pub use problem::{ApiError, Problem};
pub use rate_limit_headers::rate_limit_headers;
pub use report_slots::ReportSlots;
pub use request_deadline::{RequestDeadline, request_deadline};
pub use routes::metrics::{MetricsEndpoint, MetricsRefresh};
pub use state::{AppState, AuthMode, ExportSinkFactory};
pub use stream_limits::StreamLimits;

//! `/metrics`: Prometheus text format.

use actix_web::{HttpResponse, get, web};
use prometheus::{Encoder, Registry, TextEncoder};

/// Refreshes gauges (pool use, …) right before a scrape.
pub trait MetricsRefresh: Send + Sync {
    /// Updates the gauges it owns.
    fn refresh(&self);
}

/// What `/metrics` serves.
#[derive(Clone)]
pub struct MetricsEndpoint {
    /// Every metric of the service.
    pub registry: Registry,
    /// Called before each scrape.
    pub refresh: std::sync::Arc<dyn MetricsRefresh>,
}

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(metrics);
}

#[utoipa::path(
    tag = "operations",
    summary = "Prometheus metrics",
    security(()),
    responses(
        (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")
    )
)]
#[get("/metrics")]
pub(crate) async fn metrics(endpoint: web::Data<MetricsEndpoint>) -> HttpResponse {
    endpoint.refresh.refresh();
    let mut buffer = Vec::new();
    if TextEncoder::new()
        .encode(&endpoint.registry.gather(), &mut buffer)
        .is_err()
    {
        return HttpResponse::InternalServerError().finish();
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(buffer)
}

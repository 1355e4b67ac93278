use actix_web::web;

use crate::{ApiError, AppState, HttpMetrics, MetricsEndpoint, Problem, extract_config, routes};

/// Limits and behaviour applied to every request.
#[derive(Debug, Clone, Copy)]
pub struct HttpOptions {
    /// Send `Strict-Transport-Security` (only when served over TLS, directly or behind a proxy).
    pub hsts: bool,
    /// Largest JSON or form body accepted, in bytes (larger is 413).
    pub body_limit_bytes: usize,
    /// Largest event batch body accepted, in bytes.
    pub events_body_limit_bytes: usize,
    /// Serve `/metrics` on this app (false when it has a listener of its own).
    pub metrics_on_main: bool,
}

/// Registers every route, the extractor error handlers and the 404 fallback on an actix app.
pub fn configure(
    state: AppState,
    options: HttpOptions,
    metrics: (HttpMetrics, MetricsEndpoint),
) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        if options.metrics_on_main {
            cfg.configure(routes::metrics::configure);
        }
        cfg.app_data(web::Data::new(state))
            .app_data(web::Data::new(metrics.0))
            .app_data(web::Data::new(metrics.1))
            .configure(crate::openapi::configure)
            .app_data(extract_config::json_config(options.body_limit_bytes))
            .app_data(extract_config::form_config(options.body_limit_bytes))
            .app_data(extract_config::path_config())
            .app_data(extract_config::query_config())
            // Routes are tried in this order, each pattern a regex: the busiest come first.
            .configure(routes::health::configure)
            .configure(routes::auth::configure)
            .configure(routes::conversations::configure(options.events_body_limit_bytes))
            .configure(routes::webhooks::configure(options.events_body_limit_bytes))
            .configure(routes::orgs::configure)
            .configure(routes::members::configure)
            .configure(routes::compat::configure)
            .configure(routes::settings::configure)
            .configure(routes::secrets::configure)
            .configure(routes::sharing::configure)
            .configure(routes::sandboxes::configure)
            .configure(routes::cloud::configure)
            .configure(routes::billing::configure)
            .configure(routes::admin::configure)
            .configure(crate::console::configure)
            .default_service(web::to(not_found));
    }
}

/// Registers `/metrics` alone, for a listener of its own (`http.metrics_bind`).
pub fn configure_metrics_only(endpoint: MetricsEndpoint) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(endpoint))
            .configure(routes::metrics::configure)
            .default_service(web::to(|| async {
                Err::<actix_web::HttpResponse, _>(ApiError(Problem::not_found()))
            }));
    }
}

/// 405 with `Allow` for a known path and another method; 404 for everything else.
async fn not_found(req: actix_web::HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    let known = crate::openapi::allowed_methods(req.path());
    // A documented method that still lands here is a route this listener does not serve.
    if let Some(methods) =
        known.filter(|methods| !methods.iter().any(|method| method == req.method().as_str()))
    {
        let mut response = Problem::new(
            actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!(
                "{} is not allowed here; use {}.",
                req.method(),
                methods.join(", ")
            ),
        )
        .to_response();
        if let Ok(allow) = actix_web::http::header::HeaderValue::from_str(&methods.join(", ")) {
            response
                .headers_mut()
                .insert(actix_web::http::header::ALLOW, allow);
        }
        return Ok(response);
    }
    Err(ApiError(Problem::not_found()))
}

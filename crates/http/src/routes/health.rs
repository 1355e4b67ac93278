//! Liveness and readiness.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use tenantry_domain::services::ProbeReport;
use utoipa::ToSchema;

use crate::AppState;

/// Liveness.
#[derive(Serialize, ToSchema)]
pub(crate) struct HealthBody {
    /// Always `ok`.
    status: &'static str,
}

/// Readiness and the check that decided it.
#[derive(Serialize, ToSchema)]
pub(crate) struct ReadinessBody {
    /// `ready` or `unavailable`.
    status: &'static str,
    #[schema(value_type = Vec<Object>)]
    checks: Vec<ProbeReport>,
}

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(healthz).service(readyz);
}

/// 200 while the process runs.
#[utoipa::path(
    tag = "operations",
    summary = "Liveness",
    security(()),
    responses(
        (status = 200, description = "The process runs", body = HealthBody)
    )
)]
#[get("/healthz")]
pub(crate) async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(HealthBody { status: "ok" })
}

/// 200 when the database and the object store answer; 503 otherwise.
#[utoipa::path(
    tag = "operations",
    summary = "Readiness: database and object store answer",
    security(()),
    responses(
        (status = 200, description = "Ready", body = ReadinessBody),
        (status = 503, description = "Not ready", body = ReadinessBody)
    )
)]
#[get("/readyz")]
pub(crate) async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let (ready, checks) = state.readiness.check().await;
    let body = ReadinessBody {
        status: if ready { "ready" } else { "unavailable" },
        checks,
    };
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

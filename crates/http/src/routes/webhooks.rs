//! The webhooks unmodified OpenHands agent servers post to, where OpenHands' own app server has
//! them: `OH_WEBHOOKS_0_BASE_URL=<public url>/api/v1/webhooks` and `OH_SESSION_API_KEYS_0=<the
//! sandbox's key>` are all an agent server needs. Authenticated by `X-Session-API-Key` only.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use serde_json::Value;
use tenantry_agents::webhook_reports::{conversation_report, event_batch};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::problem_responses::{JsonBodyRefused, Unavailable};
use crate::{
    ApiError, AppState, Problem, auth::SandboxCaller, extract_config::json_config, report_slots::ReportSlots,
};

pub(crate) fn configure(body_limit: usize) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.service(
            web::resource("/api/v1/webhooks/conversations")
                .app_data(json_config(body_limit))
                .route(web::post().to(report_conversation)),
        )
        .service(
            web::resource("/api/v1/webhooks/events/{conversation_id}")
                .app_data(json_config(body_limit))
                .route(web::post().to(report_events)),
        )
        .service(
            web::resource("/api/v1/webhooks/secrets/{conversation_id}/{name}")
                .route(web::get().to(lookup_secret)),
        );
    }
}

/// What a batch added.
#[derive(Serialize, ToSchema)]
pub(crate) struct ReportedEventsBody {
    /// Events stored now (those delivered before are skipped).
    appended: i64,
    /// Tenantry's id of the first of them, if any.
    first_id: Option<i64>,
    /// Tenantry's id of the last of them, if any.
    last_id: Option<i64>,
}

#[utoipa::path(
    post,
    path = "/api/v1/webhooks/conversations",
    tag = "webhooks",
    summary = "An agent server reports a conversation (ConversationInfo): created or updated",
    request_body = Object,
    security(("session_key" = [])),
    responses(
        (status = 204, description = "Recorded"),
        (status = 401, description = "Missing, unknown or revoked session key", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The sandbox's rate limit (`rate_limits.per_sandbox`) is used up; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The sandbox's creator may no longer create conversations", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The conversation belongs to another org or sandbox", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a conversation (see `errors`)", body = Problem, content_type = "application/problem+json"),
        JsonBodyRefused, Unavailable
    )
)]
pub(crate) async fn report_conversation(
    req: HttpRequest,
    state: web::Data<AppState>,
    sandbox: SandboxCaller,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let _slot = ReportSlots::take(&req).await?;
    let report = conversation_report(&body)?;
    state.sandboxes.report_conversation(&sandbox.0, report).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    post,
    path = "/api/v1/webhooks/events/{conversation_id}",
    tag = "webhooks",
    summary = "An agent server reports a batch of events, in order; each event is stored once",
    params(("conversation_id" = String, Path, description = "The conversation's UUID, dashed or as 32 hex digits")),
    request_body = Vec<Object>,
    security(("session_key" = [])),
    responses(
        (status = 200, description = "The events not seen before were appended", body = ReportedEventsBody),
        (status = 401, description = "Missing, unknown or revoked session key", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The sandbox's rate limit (`rate_limits.per_sandbox`) is used up; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The sandbox's creator may no longer create conversations", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The conversation belongs to another org or sandbox", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an array of events with `id` and `kind`; nothing was applied", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database or object store unavailable, or `reports_busy`: too many reports being recorded at once (`agents.max_concurrent_reports`); nothing was applied, see `Retry-After`", body = Problem, content_type = "application/problem+json"),
        JsonBodyRefused
    )
)]
pub(crate) async fn report_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    sandbox: SandboxCaller,
    path: web::Path<Uuid>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let _slot = ReportSlots::take(&req).await?;
    let events = event_batch(&body)?;
    let appended = state
        .sandboxes
        .report_events(&sandbox.0, path.into_inner(), events)
        .await?;
    Ok(HttpResponse::Ok().json(match appended {
        Some(range) => ReportedEventsBody {
            appended: range.last_id - range.first_id + 1,
            first_id: Some(range.first_id),
            last_id: Some(range.last_id),
        },
        None => ReportedEventsBody {
            appended: 0,
            first_id: None,
            last_id: None,
        },
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/webhooks/secrets/{conversation_id}/{name}",
    tag = "webhooks",
    summary = "A sandbox looks up a secret of a conversation it runs (OpenHands LookupSecret); audited",
    params(
        ("conversation_id" = Uuid, Path, description = "The conversation"),
        ("name" = String, Path, description = "The secret's name")
    ),
    security(("session_key" = [])),
    responses(
        (status = 200, description = "The value, as text", body = String, content_type = "text/plain"),
        (status = 401, description = "Missing, unknown or revoked session key", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The sandbox's rate limit (`rate_limits.per_sandbox`) is used up; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The sandbox's creator may no longer create conversations", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such secret, or not a conversation of this sandbox", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn lookup_secret(
    state: web::Data<AppState>,
    sandbox: SandboxCaller,
    path: web::Path<(Uuid, String)>,
) -> Result<HttpResponse, ApiError> {
    let (conversation, name) = path.into_inner();
    let value = state
        .secrets
        .sandbox_lookup(&sandbox.0, conversation, &name)
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(value.expose().to_owned()))
}

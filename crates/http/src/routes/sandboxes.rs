//! Sandboxes: agent servers registered in an org, each with a session key of its own.

use actix_web::{HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use tenantry_domain::{sandbox::Sandbox, services::sandboxes::NewSandboxInput};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::problem_responses::{
    InvalidInput, JsonBodyRefused, NotVisible, RoleTooLow, Unauthenticated, Unavailable,
};
use crate::{ApiError, AppState, auth::Caller, wire::rfc3339_text};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(create_sandbox)
        .service(list_sandboxes)
        .service(delete_sandbox);
}

/// A sandbox as listed (never its key).
#[derive(Serialize, ToSchema)]
pub(crate) struct SandboxBody {
    id: Uuid,
    name: String,
    /// The agent server's base URL, when Tenantry drives it.
    url: Option<String>,
    created_by: Uuid,
    /// Where its agent server posts webhooks (`OH_WEBHOOKS_0_BASE_URL`).
    webhook_base_url: String,
    created_at: String,
}

fn sandbox_body(sandbox: &Sandbox, webhook_base_url: String) -> SandboxBody {
    SandboxBody {
        id: sandbox.id,
        name: sandbox.name.clone(),
        url: sandbox.url.clone(),
        created_by: sandbox.created_by,
        webhook_base_url,
        created_at: rfc3339_text(&sandbox.created_at),
    }
}

/// A new sandbox: its session key is shown this once.
#[derive(Serialize, ToSchema)]
pub(crate) struct CreatedSandboxBody {
    #[serde(flatten)]
    sandbox: SandboxBody,
    /// The agent server's `OH_SESSION_API_KEYS_0`; store it now, it is never shown again.
    session_api_key: String,
}

/// Sandboxes as listed.
#[derive(Serialize, ToSchema)]
pub(crate) struct SandboxList {
    items: Vec<SandboxBody>,
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct CreateSandboxBody {
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    name: String,
    /// `http(s)://…` of its agent server, when Tenantry is to drive it.
    #[schema(max_length = 2048, pattern = r"^https?://[^\s]+$")]
    url: Option<String>,
}

#[utoipa::path(
    tag = "sandboxes",
    summary = "Register a sandbox (developer+); its session key is shown once",
    params(("org_id" = Uuid, Path, description = "The org")),
    request_body = CreateSandboxBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Registered", body = CreatedSandboxBody),
        Unauthenticated, RoleTooLow, NotVisible, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/orgs/{org_id}/sandboxes")]
pub(crate) async fn create_sandbox(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<CreateSandboxBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let (sandbox, key) = state
        .sandboxes
        .create(
            &caller.0,
            path.into_inner(),
            NewSandboxInput {
                name: body.name,
                url: body.url,
            },
        )
        .await?;
    Ok(HttpResponse::Created().json(CreatedSandboxBody {
        sandbox: sandbox_body(&sandbox, state.sandboxes.webhook_base_url()),
        session_api_key: key.expose().to_owned(),
    }))
}

#[utoipa::path(
    tag = "sandboxes",
    summary = "My sandboxes in the org (admins: all)",
    params(("org_id" = Uuid, Path, description = "The org")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Sandboxes", body = SandboxList),
        Unauthenticated, NotVisible, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/sandboxes")]
pub(crate) async fn list_sandboxes(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let sandboxes = state.sandboxes.list(&caller.0, path.into_inner()).await?;
    let base = state.sandboxes.webhook_base_url();
    Ok(HttpResponse::Ok().json(SandboxList {
        items: sandboxes
            .iter()
            .map(|sandbox| sandbox_body(sandbox, base.clone()))
            .collect(),
    }))
}

#[utoipa::path(
    tag = "sandboxes",
    summary = "Delete a sandbox (its creator or admin+); its key fails at once",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The sandbox")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        Unauthenticated, RoleTooLow, NotVisible, Unavailable
    )
)]
#[delete("/api/orgs/{org_id}/sandboxes/{id}")]
pub(crate) async fn delete_sandbox(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    state.sandboxes.delete(&caller.0, org, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

//! Sandboxes: agent servers in an org, each with a session key of its own — started by Tenantry
//! (paused, resumed, supervised) or registered by the people who run them.

use actix_web::{HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use tenantry_domain::{
    DomainError,
    sandbox_spec::SandboxSpec,
    services::{ProvisionInput, SandboxView, sandboxes::NewSandboxInput},
};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::problem_responses::{
    Conflict, InvalidInput, JsonBodyRefused, LimitReached, NotVisible, RoleTooLow, Unauthenticated,
    Unavailable,
};
use crate::{ApiError, AppState, auth::Caller, wire::rfc3339_text};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(create_sandbox)
        .service(list_sandboxes)
        .service(list_sandbox_specs)
        .service(get_sandbox)
        .service(pause_sandbox)
        .service(resume_sandbox)
        .service(delete_sandbox);
}

/// Where a sandbox serves.
#[derive(Serialize, ToSchema)]
pub(crate) struct ExposedUrlBody {
    /// What answers there (`AGENT_SERVER`).
    name: String,
    url: String,
    port: u16,
}

/// A sandbox as listed (never its key).
#[derive(Serialize, ToSchema)]
pub(crate) struct SandboxBody {
    id: Uuid,
    name: String,
    /// The agent server's base URL: a registered one's, or where a started one serves now.
    url: Option<String>,
    created_by: Uuid,
    /// Where its agent server posts webhooks (`OH_WEBHOOKS_0_BASE_URL`).
    webhook_base_url: String,
    created_at: String,
    /// For sandboxes Tenantry runs: `STARTING`, `RUNNING`, `PAUSED`, `ERROR` or `MISSING`; null
    /// for registered ones.
    status: Option<String>,
    /// The spec a started sandbox was launched with.
    spec: Option<String>,
    /// Where it serves: `AGENT_SERVER` while it runs (or a registered one's URL).
    exposed_urls: Vec<ExposedUrlBody>,
}

fn sandbox_body(view: SandboxView, webhook_base_url: String) -> SandboxBody {
    let SandboxView {
        sandbox,
        exposed_urls,
    } = view;
    let url = match &sandbox.runtime {
        Some(_) => exposed_urls.first().map(|exposed| exposed.url.clone()),
        None => sandbox.url.clone(),
    };
    SandboxBody {
        id: sandbox.id,
        name: sandbox.name,
        url,
        created_by: sandbox.created_by,
        webhook_base_url,
        created_at: rfc3339_text(&sandbox.created_at),
        status: sandbox
            .runtime
            .as_ref()
            .map(|record| record.status.name().to_owned()),
        spec: sandbox.runtime.map(|record| record.spec_id),
        exposed_urls: exposed_urls
            .into_iter()
            .map(|exposed| ExposedUrlBody {
                name: exposed.name,
                url: exposed.url,
                port: exposed.port,
            })
            .collect(),
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
    /// Required when registering; a default one is given to a sandbox Tenantry starts.
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    name: Option<String>,
    /// `http(s)://…` of its agent server, to register one someone else runs. Without it, Tenantry
    /// starts the sandbox itself (or, when it starts none, registers one that only reports).
    #[schema(max_length = 2048, pattern = r"^https?://[^\s]+$")]
    url: Option<String>,
    /// The spec to start with (`GET …/sandbox-specs`; the default when absent).
    #[schema(max_length = 200)]
    spec: Option<String>,
}

/// A sandbox spec: named launch settings.
#[derive(Serialize, ToSchema)]
pub(crate) struct SandboxSpecBody {
    id: String,
    /// The program and arguments running the agent server (empty: the runtime's default).
    command: Vec<String>,
    /// Where the agent works, relative to the sandbox's directory.
    working_dir: String,
    /// Environment the agent server starts with.
    initial_env: std::collections::BTreeMap<String, String>,
}

impl From<SandboxSpec> for SandboxSpecBody {
    fn from(spec: SandboxSpec) -> Self {
        Self {
            id: spec.id,
            command: spec.command,
            working_dir: spec.working_dir,
            initial_env: spec.initial_env,
        }
    }
}

/// The specs offered.
#[derive(Serialize, ToSchema)]
pub(crate) struct SandboxSpecList {
    items: Vec<SandboxSpecBody>,
}

#[utoipa::path(
    tag = "sandboxes",
    summary = "Start a sandbox, or register one by URL (developer+); its session key is shown once",
    description = "Without `url`, Tenantry starts the sandbox's agent server itself (status `STARTING`, then `RUNNING` once it answers) within the org's and the member's limits of running sandboxes (429 `sandbox_limit` beyond, and nothing is started).",
    params(("org_id" = Uuid, Path, description = "The org")),
    request_body = CreateSandboxBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Started or registered", body = CreatedSandboxBody),
        Unauthenticated, RoleTooLow, NotVisible, JsonBodyRefused, InvalidInput, LimitReached, Unavailable
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
    let org = path.into_inner();
    let sandboxes = &state.sandboxes;
    let (view, key) = if body.url.is_none() && sandboxes.runs_sandboxes() {
        let input = ProvisionInput {
            name: body.name,
            spec: body.spec,
        };
        sandboxes.provision(&caller.0, org, input).await?
    } else {
        let name = body
            .name
            .ok_or_else(|| DomainError::invalid("name", "is required to register a sandbox"))?;
        let input = NewSandboxInput { name, url: body.url };
        let (sandbox, key) = sandboxes.create(&caller.0, org, input).await?;
        (sandboxes.view_of(sandbox).await, key)
    };
    Ok(HttpResponse::Created().json(CreatedSandboxBody {
        sandbox: sandbox_body(view, sandboxes.webhook_base_url()),
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
    let views = state.sandboxes.views(&caller.0, path.into_inner()).await?;
    let base = state.sandboxes.webhook_base_url();
    Ok(HttpResponse::Ok().json(SandboxList {
        items: views
            .into_iter()
            .map(|view| sandbox_body(view, base.clone()))
            .collect(),
    }))
}

#[utoipa::path(
    tag = "sandboxes",
    summary = "The sandbox specs this server starts sandboxes with (any member)",
    params(("org_id" = Uuid, Path, description = "The org")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Specs (none when this server starts no sandboxes)", body = SandboxSpecList),
        Unauthenticated, NotVisible, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/sandbox-specs")]
pub(crate) async fn list_sandbox_specs(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let specs = state.sandboxes.specs(&caller.0, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(SandboxSpecList {
        items: specs.into_iter().map(SandboxSpecBody::from).collect(),
    }))
}

#[utoipa::path(
    tag = "sandboxes",
    summary = "One sandbox: status, spec, exposed URLs (its creator or admin+)",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The sandbox")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The sandbox", body = SandboxBody),
        Unauthenticated, NotVisible, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/sandboxes/{id}")]
pub(crate) async fn get_sandbox(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    let view = state.sandboxes.view(&caller.0, org, id).await?;
    Ok(HttpResponse::Ok().json(sandbox_body(view, state.sandboxes.webhook_base_url())))
}

#[utoipa::path(
    tag = "sandboxes",
    summary = "Pause a sandbox Tenantry runs (its creator or admin+): its agent server stops, its workspace stays",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The sandbox")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Paused (pausing a paused one changes nothing)", body = SandboxBody),
        (status = 502, description = "The runtime could not stop it (`sandbox_unavailable`); it is recorded paused and stopped by the supervisor", body = crate::Problem, content_type = "application/problem+json"),
        Unauthenticated, NotVisible, Conflict, Unavailable
    )
)]
#[post("/api/orgs/{org_id}/sandboxes/{id}/pause")]
pub(crate) async fn pause_sandbox(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    let view = state.sandboxes.pause(&caller.0, org, id).await?;
    Ok(HttpResponse::Ok().json(sandbox_body(view, state.sandboxes.webhook_base_url())))
}

#[utoipa::path(
    tag = "sandboxes",
    summary = "Start a paused, failed or missing sandbox again on its workspace (its creator or admin+)",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The sandbox")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Starting (a live one is left as it is)", body = SandboxBody),
        Unauthenticated, NotVisible, Conflict, LimitReached, Unavailable
    )
)]
#[post("/api/orgs/{org_id}/sandboxes/{id}/resume")]
pub(crate) async fn resume_sandbox(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    let view = state.sandboxes.resume(&caller.0, org, id).await?;
    Ok(HttpResponse::Ok().json(sandbox_body(view, state.sandboxes.webhook_base_url())))
}

#[utoipa::path(
    tag = "sandboxes",
    summary = "Delete a sandbox (its creator or admin+); its key fails at once, and one Tenantry runs is stopped and its workspace removed",
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

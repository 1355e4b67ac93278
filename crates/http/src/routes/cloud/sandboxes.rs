//! `/api/v1/sandboxes`: sandboxes as OpenHands clients see them (`SandboxInfo`), started,
//! paused, resumed and deleted through Tenantry's runtime; and the secrets the agent in one looks
//! up with its session key.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use tenantry_domain::{
    DomainError,
    services::{ProvisionInput, SandboxView},
};
use uuid::Uuid;

use super::{query, request_org::request_org, success};
use crate::{
    ApiError, AppState,
    auth::{Caller, SandboxCaller},
    wire::rfc3339_text,
};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/search", web::get().to(search))
        .route("", web::get().to(batch))
        .route("", web::post().to(start))
        .route("/{id}/pause", web::post().to(pause))
        .route("/{id}/resume", web::post().to(resume))
        .route("/{id}", web::delete().to(delete))
        .route("/{id}/settings/secrets", web::get().to(secret_names))
        .route("/{id}/settings/secrets/{name}", web::get().to(secret_value));
}

/// One of `exposed_urls`.
#[derive(Serialize)]
struct ExposedUrlInfo {
    name: String,
    url: String,
    port: u16,
}

/// OpenHands' `SandboxInfo`.
#[derive(Serialize)]
struct SandboxInfo {
    id: String,
    created_by_user_id: String,
    sandbox_spec_id: String,
    /// `STARTING`, `RUNNING`, `PAUSED`, `ERROR`, `MISSING` (a registered sandbox: `RUNNING`).
    status: &'static str,
    /// For the sandbox's creator while it is live.
    session_api_key: Option<String>,
    exposed_urls: Vec<ExposedUrlInfo>,
    created_at: String,
}

/// A page of them.
#[derive(Serialize)]
struct SandboxPage {
    items: Vec<SandboxInfo>,
    next_page_id: Option<String>,
}

/// The spec id shown for a sandbox someone else runs.
const REGISTERED_SPEC: &str = "registered";

async fn info(state: &AppState, caller: &Caller, view: SandboxView) -> Result<SandboxInfo, ApiError> {
    let key = state.sandboxes.session_key_for(&caller.0, &view.sandbox).await?;
    let SandboxView {
        sandbox,
        exposed_urls,
    } = view;
    let (status, spec) = match &sandbox.runtime {
        Some(record) => (record.status.name(), record.spec_id.clone()),
        None => ("RUNNING", REGISTERED_SPEC.to_owned()),
    };
    Ok(SandboxInfo {
        id: sandbox.id.to_string(),
        created_by_user_id: sandbox.created_by.to_string(),
        sandbox_spec_id: spec,
        status,
        session_api_key: key.map(|key| key.expose().to_owned()),
        exposed_urls: exposed_urls
            .into_iter()
            .map(|exposed| ExposedUrlInfo {
                name: exposed.name,
                url: exposed.url,
                port: exposed.port,
            })
            .collect(),
        created_at: rfc3339_text(&sandbox.created_at),
    })
}

/// A sandbox id from a path: not a UUID is a sandbox that does not exist.
fn sandbox_id(raw: &str) -> Result<Uuid, DomainError> {
    Uuid::parse_str(raw.trim()).map_err(|_| DomainError::NotFound)
}

async fn search(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let page = query::Page::of(req.query_string())?;
    let views = state.sandboxes.views(&caller.0, org).await?;
    let (views, next_page_id) = page.cut(views);
    let mut items = Vec::with_capacity(views.len());
    for view in views {
        items.push(info(&state, &caller, view).await?);
    }
    Ok(HttpResponse::Ok().json(SandboxPage { items, next_page_id }))
}

async fn batch(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let asked = query::repeated(req.query_string(), "id")?;
    let ids: Vec<Option<Uuid>> = asked.iter().map(|raw| Uuid::parse_str(raw.trim()).ok()).collect();
    let known: Vec<Uuid> = ids.iter().flatten().copied().collect();
    let mut found = state
        .sandboxes
        .views_by_id(&caller.0, org, &known)
        .await?
        .into_iter();
    let mut answers = Vec::with_capacity(ids.len());
    for id in ids {
        let view = match id {
            Some(_) => found.next().flatten(),
            None => None,
        };
        answers.push(match view {
            Some(view) => Some(info(&state, &caller, view).await?),
            None => None,
        });
    }
    Ok(HttpResponse::Ok().json(answers))
}

async fn start(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let input = ProvisionInput {
        name: None,
        spec: query::single(req.query_string(), "sandbox_spec_id"),
    };
    let (view, _) = state.sandboxes.provision(&caller.0, org, input).await?;
    Ok(HttpResponse::Ok().json(info(&state, &caller, view).await?))
}

async fn pause(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    state.sandboxes.pause(&caller.0, org, sandbox_id(&path)?).await?;
    Ok(success())
}

async fn resume(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    state.sandboxes.resume(&caller.0, org, sandbox_id(&path)?).await?;
    Ok(success())
}

/// `DELETE /sandboxes/{id}`; OpenHands' own server reads the id from `?sandbox_id=` (its SDK sends
/// both): the query wins when present.
async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let id = query::single(req.query_string(), "sandbox_id").unwrap_or_else(|| path.into_inner());
    state.sandboxes.delete(&caller.0, org, sandbox_id(&id)?).await?;
    Ok(success())
}

#[derive(Serialize)]
struct SecretName {
    name: String,
    description: Option<String>,
}

#[derive(Serialize)]
struct SecretNames {
    secrets: Vec<SecretName>,
}

async fn secret_names(
    state: web::Data<AppState>,
    sandbox: SandboxCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let listed = state
        .secrets
        .sandbox_secrets(&sandbox.0, sandbox_id(&path)?)
        .await?;
    Ok(HttpResponse::Ok().json(SecretNames {
        secrets: listed
            .into_iter()
            .map(|meta| SecretName {
                name: meta.name,
                description: meta.description,
            })
            .collect(),
    }))
}

async fn secret_value(
    state: web::Data<AppState>,
    sandbox: SandboxCaller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, name) = path.into_inner();
    let value = state
        .secrets
        .sandbox_secret(&sandbox.0, sandbox_id(&id)?, &name)
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(value.expose().to_owned()))
}

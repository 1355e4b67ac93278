//! `/api/v1/sandbox-specs`: the launch settings sandboxes start with, as `SandboxSpecInfo`.

use std::{collections::BTreeMap, sync::LazyLock};

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use tenantry_domain::sandbox_spec::SandboxSpec;

use super::{query, request_org::request_org};
use crate::{ApiError, AppState, auth::Caller, wire::rfc3339_text};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/search", web::get().to(search))
        .route("", web::get().to(batch));
}

/// Specs come from the configuration: they were made when this server read it.
static CONFIGURED_AT: LazyLock<DateTime<Utc>> = LazyLock::new(Utc::now);

/// OpenHands' `SandboxSpecInfo`.
#[derive(Serialize)]
struct SandboxSpecInfo {
    id: String,
    command: Option<Vec<String>>,
    created_at: String,
    initial_env: BTreeMap<String, String>,
    working_dir: String,
}

impl From<SandboxSpec> for SandboxSpecInfo {
    fn from(spec: SandboxSpec) -> Self {
        Self {
            id: spec.id,
            command: (!spec.command.is_empty()).then_some(spec.command),
            created_at: rfc3339_text(&CONFIGURED_AT),
            initial_env: spec.initial_env,
            working_dir: spec.working_dir,
        }
    }
}

#[derive(Serialize)]
struct SandboxSpecPage {
    items: Vec<SandboxSpecInfo>,
    next_page_id: Option<String>,
}

async fn search(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let page = query::Page::of(req.query_string())?;
    let (specs, next_page_id) = page.cut(state.sandboxes.specs(&caller.0, org).await?);
    Ok(HttpResponse::Ok().json(SandboxSpecPage {
        items: specs.into_iter().map(SandboxSpecInfo::from).collect(),
        next_page_id,
    }))
}

async fn batch(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let asked = query::repeated(req.query_string(), "id")?;
    let specs = state.sandboxes.specs(&caller.0, org).await?;
    let answers: Vec<Option<SandboxSpecInfo>> = asked
        .iter()
        .map(|id| {
            specs
                .iter()
                .find(|spec| &spec.id == id)
                .cloned()
                .map(SandboxSpecInfo::from)
        })
        .collect();
    Ok(HttpResponse::Ok().json(answers))
}

//! Named LLM profiles, as OpenHands' settings API and its SaaS org routes serve them:
//! `/api/v1/settings/profiles…` in the request's org, `/api/organizations/{org}/profiles…` in the
//! named org. Keys are written only; `api_key_set` says whether one is kept.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};
use tenantry_domain::{
    DomainError, OrgId, SecretString,
    services::llm_profiles::{ProfileInput, ProfileView},
};

use super::request_org::request_org;
use crate::{ApiError, AppState, auth::Caller};

/// Under `/api/v1/settings/profiles`.
pub(super) fn configure_in_request_org(cfg: &mut web::ServiceConfig) {
    cfg.route("/profiles", web::get().to(list))
        .route("/profiles/{name}", web::get().to(get))
        .route("/profiles/{name}", web::post().to(save))
        .route("/profiles/{name}", web::delete().to(delete))
        .route("/profiles/{name}/rename", web::post().to(rename))
        .route("/profiles/{name}/activate", web::post().to(activate));
}

/// Under `/api/organizations/{org}/profiles`.
pub(super) fn configure_in_named_org(cfg: &mut web::ServiceConfig) {
    cfg.route("/{org}/profiles", web::get().to(list))
        .route("/{org}/profiles/{name}", web::get().to(get))
        .route("/{org}/profiles/{name}", web::post().to(save))
        .route("/{org}/profiles/{name}", web::delete().to(delete))
        .route("/{org}/profiles/{name}/rename", web::post().to(rename))
        .route("/{org}/profiles/{name}/activate", web::post().to(activate));
}

/// The org the path names, else the request's.
fn org_of(req: &HttpRequest, caller: &Caller) -> Result<OrgId, DomainError> {
    match req.match_info().get("org") {
        Some(raw) => uuid::Uuid::parse_str(raw).map_err(|_| DomainError::NotFound),
        None => request_org(req, &caller.0),
    }
}

fn name_of(req: &HttpRequest) -> String {
    req.match_info().get("name").unwrap_or_default().to_owned()
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let views = state.llm_profiles.list(&caller.0, org_of(&req, &caller)?).await?;
    let active = views
        .iter()
        .find(|view| view.profile.active)
        .map(|view| view.profile.name.clone());
    let profiles: Vec<Value> = views
        .iter()
        .map(|view| {
            json!({
                "name": view.profile.name,
                "model": view.profile.model,
                "base_url": view.profile.base_url,
                "api_key_set": view.api_key_set,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "profiles": profiles, "active_profile": active })))
}

fn profile_body(view: &ProfileView) -> Value {
    json!({
        "name": view.profile.name,
        "config": { "model": view.profile.model, "base_url": view.profile.base_url, "api_key": null },
        "api_key_set": view.api_key_set,
    })
}

async fn get(state: web::Data<AppState>, caller: Caller, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let view = state
        .llm_profiles
        .get(&caller.0, org_of(&req, &caller)?, &name_of(&req))
        .await?;
    Ok(HttpResponse::Ok().json(profile_body(&view)))
}

/// OpenHands' `SaveLlmProfileRequest`.
#[derive(Deserialize)]
struct SaveProfile {
    llm: Option<Value>,
    #[serde(default = "yes")]
    include_secrets: bool,
    #[serde(default)]
    preserve_existing_api_key: bool,
}

fn yes() -> bool {
    true
}

async fn save(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<SaveProfile>,
) -> Result<HttpResponse, ApiError> {
    let org = org_of(&req, &caller)?;
    let name = name_of(&req);
    let body = body.into_inner();
    let llm = body.llm.unwrap_or(Value::Null);
    let text = |field: &str| llm.get(field).and_then(Value::as_str).map(str::to_owned);
    let api_key = text("api_key")
        .filter(|_| body.include_secrets)
        .filter(|key| !key.is_empty());
    let input = ProfileInput {
        model: text("model"),
        base_url: text("base_url"),
        keep_key: api_key.is_none() && (body.preserve_existing_api_key || !body.include_secrets),
        api_key: api_key.map(SecretString::new),
    };
    state.llm_profiles.save(&caller.0, org, &name, input).await?;
    Ok(HttpResponse::Created().json(json!({ "name": name, "message": format!("Profile '{name}' saved") })))
}

async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let name = name_of(&req);
    state
        .llm_profiles
        .delete(&caller.0, org_of(&req, &caller)?, &name)
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "name": name, "message": format!("Profile '{name}' deleted") })))
}

#[derive(Deserialize)]
struct Rename {
    new_name: String,
}

async fn rename(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<Rename>,
) -> Result<HttpResponse, ApiError> {
    let name = name_of(&req);
    state
        .llm_profiles
        .rename(&caller.0, org_of(&req, &caller)?, &name, &body.new_name)
        .await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "name": body.new_name, "message": format!("Profile '{name}' renamed") })))
}

async fn activate(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let name = name_of(&req);
    let model = state
        .llm_profiles
        .activate(&caller.0, org_of(&req, &caller)?, &name)
        .await?;
    Ok(HttpResponse::Ok()
        .json(json!({ "name": name, "message": format!("Profile '{name}' activated"), "model": model })))
}

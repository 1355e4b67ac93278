//! `/api/v1/secrets`: the caller's own secrets in the request's org, as OpenHands' secrets API
//! (names and descriptions listed, values written only).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use tenantry_domain::{SecretString, secrets::SecretScope, services::secrets::PutSecretInput};

use super::{query, request_org::request_org};
use crate::{ApiError, AppState, auth::Caller};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/search", web::get().to(search))
        .route("", web::post().to(create))
        .route("/{name}", web::put().to(update))
        .route("/{name}", web::delete().to(delete));
}

async fn search(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let raw = req.query_string();
    let contains = query::single(raw, "name__contains").map(|text| text.to_lowercase());
    let after = query::single(raw, "page_id").filter(|page| !page.is_empty());
    let limit = query::limit(raw)?;
    let mut own: Vec<_> = state
        .secrets
        .list(&caller.0, org)
        .await?
        .into_iter()
        .filter(|meta| meta.scope == SecretScope::User)
        .filter(|meta| {
            contains
                .as_ref()
                .is_none_or(|text| meta.name.to_lowercase().contains(text))
        })
        .filter(|meta| {
            after
                .as_ref()
                .is_none_or(|after| meta.name.as_str() > after.as_str())
        })
        .collect();
    own.sort_by(|a, b| a.name.cmp(&b.name));
    let more = own.len() > limit;
    own.truncate(limit);
    let next = more.then(|| own.last().map(|meta| meta.name.clone())).flatten();
    let items: Vec<_> = own
        .into_iter()
        .map(|meta| json!({ "name": meta.name, "description": meta.description }))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "items": items, "next_page_id": next })))
}

#[derive(Deserialize)]
struct NewSecret {
    name: String,
    value: String,
    description: Option<String>,
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<NewSecret>,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let body = body.into_inner();
    let input = PutSecretInput {
        value: SecretString::new(body.value),
        description: body.description,
        scope: SecretScope::User,
    };
    state.secrets.put(&caller.0, org, &body.name, input).await?;
    Ok(HttpResponse::Created().json(json!({ "message": "Secret created successfully" })))
}

#[derive(Deserialize)]
struct SecretUpdate {
    name: String,
    description: Option<String>,
}

async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<SecretUpdate>,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let body = body.into_inner();
    state
        .secrets
        .rename_own(&caller.0, org, &path, &body.name, body.description)
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "message": "Secret updated successfully" })))
}

async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    state
        .secrets
        .delete(&caller.0, org, &path, SecretScope::User)
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "message": "Secret deleted successfully" })))
}

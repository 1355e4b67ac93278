//! The OpenHands SaaS routes around orgs: `/api/organizations` (the caller's orgs and the current
//! one), `/api/organizations/{org}/me` (role and permissions), `/switch`, and `/api/keys/current`
//! (the presenting API key, never the key itself). Tenantry's roles and permissions are named as
//! Tenantry names them.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};
use tenantry_domain::{DomainError, OrgId, policy::Permission, ports::Membership};

use super::{query, request_org::request_org};
use crate::{ApiError, AppState, auth::Caller};

pub(super) fn configure_organizations(cfg: &mut web::ServiceConfig) {
    cfg.route("", web::get().to(list))
        .route("/{org}/me", web::get().to(me))
        .route("/{org}/switch", web::post().to(switch));
}

pub(super) fn configure_keys(cfg: &mut web::ServiceConfig) {
    cfg.route("/current", web::get().to(current_key));
}

fn org_body(membership: &Membership) -> Value {
    json!({
        "id": membership.org.id.to_string(),
        "name": membership.org.name.as_str(),
        "contact_name": membership.org.contact_name,
        "contact_email": membership.org.contact_email,
        "is_personal": membership.org.personal,
        "role": membership.role.name(),
    })
}

fn org_id(raw: &str) -> Result<OrgId, DomainError> {
    uuid::Uuid::parse_str(raw.trim()).map_err(|_| DomainError::NotFound)
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let page = query::Page::of(req.query_string())?;
    let current = request_org(&req, &caller.0).ok();
    let (orgs, next_page_id) = page.cut(state.orgs.list_mine(&caller.0).await?);
    Ok(HttpResponse::Ok().json(json!({
        "items": orgs.iter().map(org_body).collect::<Vec<_>>(),
        "next_page_id": next_page_id,
        "current_org_id": current.map(|org| org.to_string()),
    })))
}

async fn me(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = org_id(&path)?;
    let membership = state.orgs.get(&caller.0, org).await?;
    let permissions: Vec<&str> = Permission::ALL
        .into_iter()
        .filter(|permission| membership.role.is_at_least(permission.minimum_role()))
        .map(Permission::name)
        .collect();
    let user = &caller.0.user;
    Ok(HttpResponse::Ok().json(json!({
        "org_id": org.to_string(),
        "user_id": user.id.to_string(),
        "email": user.email.as_str(),
        "role": membership.role.name(),
        "permissions": permissions,
    })))
}

async fn switch(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = org_id(&path)?;
    state.orgs.switch(&caller.0, org).await?;
    let membership = state.orgs.get(&caller.0, org).await?;
    Ok(HttpResponse::Ok().json(org_body(&membership)))
}

async fn current_key(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let grant = caller.0.api_key.clone().ok_or_else(|| {
        DomainError::invalid(
            "Authorization",
            "this route answers for an API key, not a signed-in session",
        )
    })?;
    let key = state
        .api_keys
        .list(&caller.0, grant.org_id, false)
        .await?
        .into_iter()
        .find(|key| key.id == grant.key_id)
        .ok_or(DomainError::NotFound)?;
    Ok(HttpResponse::Ok().json(json!({
        "id": key.id.to_string(),
        "name": key.name,
        "org_id": grant.org_id.to_string(),
        "user_id": caller.0.user.id.to_string(),
        "auth_type": "api_key",
        "scopes": grant.scopes,
    })))
}

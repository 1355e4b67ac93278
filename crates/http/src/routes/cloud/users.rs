//! `/api/v1/users/me`: who the caller is in the request's org, with the flat LLM settings
//! OpenHands' SDK reads (`llm_model`, `llm_base_url`, `mcp_config`; `llm_api_key` only with
//! `?expose_secrets=true` and the session key of the caller's own running sandbox).

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};
use tenantry_domain::DomainError;

use super::{query, request_org::request_org};
use crate::{ApiError, AppState, auth::Caller};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(me));
}

async fn me(state: web::Data<AppState>, caller: Caller, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let expose = query::single(req.query_string(), "expose_secrets").is_some_and(|value| value == "true");
    let user = &caller.0.user;
    let mut body = json!({
        "id": user.id.to_string(),
        "email": user.email.as_str(),
        "email_verified": user.email_verified(),
        "name": user.name,
        "org_id": org.to_string(),
    });
    if expose {
        let key = req
            .headers()
            .get(crate::auth::SESSION_KEY_HEADER)
            .and_then(|value| value.to_str().ok())
            .ok_or(DomainError::Unauthorized("X-Session-API-Key header is required"))?;
        let actor = state.sandboxes.authenticate(key.trim()).await?;
        let (launch, mcp) = state
            .settings
            .exposed_to_sandbox(&caller.0, org, &actor.sandbox)
            .await?;
        body["llm_model"] = json!(launch.llm_model);
        body["llm_base_url"] = json!(launch.llm_base_url);
        body["llm_api_key"] = json!(launch.llm_api_key.map(|key| key.expose().to_owned()));
        body["mcp_config"] = mcp.unwrap_or(Value::Null);
    } else {
        let effective = state.settings.effective(&caller.0, org).await?;
        for field in ["llm_model", "llm_base_url", "mcp_config"] {
            body[field] = effective.values.get(field).cloned().unwrap_or(Value::Null);
        }
    }
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(body))
}

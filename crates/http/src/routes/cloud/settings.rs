//! `/api/v1/settings`: the caller's effective settings in the request's org in OpenHands' shape
//! (flat fields, and `agent_settings` / `conversation_settings`), and changes to them as
//! OpenHands' diffs, written as the caller's own overrides: a field the org locked cannot be
//! changed here either (403). Tenantry's names: `llm_model`, `llm_base_url`, `llm_api_key`,
//! `mcp_config`, `agent`, `max_iterations`, `confirmation_mode`, `security_analyzer`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};
use tenantry_domain::DomainError;

use super::request_org::request_org;
use crate::{ApiError, AppState, auth::Caller};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("", web::get().to(get))
        .route("", web::post().to(save))
        .route("/agent-schema", web::get().to(agent_schema))
        .route("/conversation-schema", web::get().to(conversation_schema));
}

/// Where each OpenHands field lives in Tenantry: `(diff, path in the diff, Tenantry field)`.
const FIELDS: &[(&str, &[&str], &str)] = &[
    ("agent_settings_diff", &["llm", "model"], "llm_model"),
    ("agent_settings_diff", &["llm", "base_url"], "llm_base_url"),
    ("agent_settings_diff", &["llm", "api_key"], "llm_api_key"),
    ("agent_settings_diff", &["mcp_config"], "mcp_config"),
    ("agent_settings_diff", &["agent_kind"], "agent"),
    (
        "conversation_settings_diff",
        &["max_iterations"],
        "max_iterations",
    ),
    (
        "conversation_settings_diff",
        &["confirmation_mode"],
        "confirmation_mode",
    ),
    (
        "conversation_settings_diff",
        &["security_analyzer"],
        "security_analyzer",
    ),
];

/// Tenantry fields a client may also send flat, at the top level.
const FLAT: &[&str] = &[
    "llm_model",
    "llm_base_url",
    "llm_api_key",
    "mcp_config",
    "agent",
    "max_iterations",
    "confirmation_mode",
    "security_analyzer",
    "enable_default_condenser",
];

fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |value, key| value.get(key))
}

/// The change in Tenantry's fields; the full (non-diff) forms are refused, as OpenHands does.
fn change_of(body: &Map<String, Value>) -> Result<Map<String, Value>, DomainError> {
    for legacy in ["agent_settings", "conversation_settings"] {
        if body.contains_key(legacy) {
            return Err(DomainError::invalid(
                legacy,
                "send agent_settings_diff / conversation_settings_diff instead",
            ));
        }
    }
    let mut change = Map::new();
    for (diff, path, field) in FIELDS {
        if let Some(value) = body.get(*diff).and_then(|diff| at(diff, path)) {
            change.insert((*field).to_owned(), value.clone());
        }
    }
    for field in FLAT {
        if let Some(value) = body.get(*field) {
            change.insert((*field).to_owned(), value.clone());
        }
    }
    Ok(change)
}

async fn get(state: web::Data<AppState>, caller: Caller, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let effective = state.settings.effective(&caller.0, org).await?;
    let value = |field: &str| effective.values.get(field).cloned().unwrap_or(Value::Null);
    let key_set = effective.secrets_set.iter().any(|field| field == "llm_api_key");
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({
            "llm_model": value("llm_model"),
            "llm_base_url": value("llm_base_url"),
            "llm_api_key": null,
            "llm_api_key_set": key_set,
            "search_api_key_set": false,
            "agent": value("agent"),
            "max_iterations": value("max_iterations"),
            "confirmation_mode": value("confirmation_mode"),
            "security_analyzer": value("security_analyzer"),
            "enable_default_condenser": value("enable_default_condenser"),
            "mcp_config": value("mcp_config"),
            "max_budget_per_task": value("max_budget_per_task"),
            "provider_tokens_set": {},
            "disabled_skills": [],
            "v1_enabled": true,
            "locked_fields": effective.locked,
            "agent_settings": {
                "agent_kind": value("agent"),
                "llm": { "model": value("llm_model"), "base_url": value("llm_base_url"), "api_key": null },
                "mcp_config": value("mcp_config"),
            },
            "conversation_settings": {
                "max_iterations": value("max_iterations"),
                "confirmation_mode": value("confirmation_mode"),
                "security_analyzer": value("security_analyzer"),
            },
        })))
}

async fn save(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let change = change_of(&body)?;
    if !change.is_empty() {
        state.settings.update_my_settings(&caller.0, org, &change).await?;
    }
    Ok(HttpResponse::Ok().json(json!({ "message": "Settings stored" })))
}

fn schema(model: &str, fields: &[(&str, &[&str], &str)], diff: &str) -> Value {
    let fields: Vec<Value> = fields
        .iter()
        .filter(|(owner, _, _)| *owner == diff)
        .map(|(_, path, field)| json!({ "key": path.join("."), "setting": field }))
        .collect();
    json!({ "model_name": model, "sections": [{ "key": "tenantry", "label": "Settings this server keeps", "fields": fields }] })
}

async fn agent_schema(caller: Caller) -> HttpResponse {
    let _ = caller;
    HttpResponse::Ok().json(schema("AgentSettings", FIELDS, "agent_settings_diff"))
}

async fn conversation_schema(caller: Caller) -> HttpResponse {
    let _ = caller;
    HttpResponse::Ok().json(schema(
        "ConversationSettings",
        FIELDS,
        "conversation_settings_diff",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_map_onto_tenantry_fields() {
        let body = json!({
            "agent_settings_diff": { "llm": { "model": "m", "api_key": "k" }, "mcp_config": {} },
            "conversation_settings_diff": { "max_iterations": 9 },
            "language": "en"
        });
        let change = change_of(body.as_object().expect("object")).expect("change");
        assert_eq!(
            Value::Object(change),
            json!({ "llm_model": "m", "llm_api_key": "k", "mcp_config": {}, "max_iterations": 9 })
        );
    }

    #[test]
    fn full_settings_objects_are_refused() {
        let body = json!({ "agent_settings": {} });
        assert!(change_of(body.as_object().expect("object")).is_err());
    }
}

//! Secrets (write-only), the runtime read, and API keys.

use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use tenantry_domain::{
    ApiKey, SecretString,
    secrets::{SecretMeta, SecretScope},
    services::{api_keys::NewApiKeyInput, secrets::PutSecretInput},
};
use uuid::Uuid;

use crate::{ApiError, AppState, auth::Caller};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_secrets)
        .service(put_secret)
        .service(delete_secret)
        .service(runtime_secrets)
        .service(list_keys)
        .service(create_key)
        .service(revoke_key);
}

fn timestamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn secret_json(meta: &SecretMeta) -> Value {
    json!({
        "name": meta.name,
        "description": meta.description,
        "scope": meta.scope,
        "created_at": timestamp(&meta.created_at),
        "updated_at": timestamp(&meta.updated_at),
    })
}

fn key_json(key: &ApiKey) -> Value {
    json!({
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "user_id": key.user_id,
        "scopes": key.scopes,
        "created_at": timestamp(&key.created_at),
        "last_used_at": key.last_used_at.as_ref().map(timestamp),
        "expires_at": key.expires_at.as_ref().map(timestamp),
    })
}

#[get("/api/orgs/{org_id}/secrets")]
async fn list_secrets(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let secrets = state.secrets.list(&caller.0.user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(json!({ "items": secrets.iter().map(secret_json).collect::<Vec<_>>() })))
}

#[derive(Deserialize)]
struct PutSecretBody {
    value: SecretString,
    description: Option<String>,
    scope: SecretScope,
}

#[put("/api/orgs/{org_id}/secrets/{name}")]
async fn put_secret(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
    body: web::Json<PutSecretBody>,
) -> Result<HttpResponse, ApiError> {
    let (org, name) = path.into_inner();
    let body = body.into_inner();
    let input = PutSecretInput {
        value: body.value,
        description: body.description,
        scope: body.scope,
    };
    let meta = state.secrets.put(&caller.0.user, org, &name, input).await?;
    Ok(HttpResponse::Ok().json(secret_json(&meta)))
}

#[derive(Deserialize)]
struct ScopeQuery {
    scope: Option<SecretScope>,
}

#[delete("/api/orgs/{org_id}/secrets/{name}")]
async fn delete_secret(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
    query: web::Query<ScopeQuery>,
) -> Result<HttpResponse, ApiError> {
    let (org, name) = path.into_inner();
    let scope = query.scope.unwrap_or(SecretScope::User);
    state.secrets.delete(&caller.0.user, org, &name, scope).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[get("/api/orgs/{org_id}/conversations/{id}/runtime-secrets")]
async fn runtime_secrets(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    let values = state.secrets.runtime_values(&caller.0, org, id).await?;
    let values: serde_json::Map<String, Value> = values
        .into_iter()
        .map(|(name, value)| (name, Value::String(value.expose().to_owned())))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "secrets": values })))
}

#[derive(Deserialize)]
struct ListKeysQuery {
    all: Option<bool>,
}

#[get("/api/orgs/{org_id}/api-keys")]
async fn list_keys(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    query: web::Query<ListKeysQuery>,
) -> Result<HttpResponse, ApiError> {
    let keys = state
        .api_keys
        .list(&caller.0.user, path.into_inner(), query.all.unwrap_or(false))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "items": keys.iter().map(key_json).collect::<Vec<_>>() })))
}

#[derive(Deserialize)]
struct CreateKeyBody {
    name: String,
    expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    scopes: Vec<String>,
}

#[post("/api/orgs/{org_id}/api-keys")]
async fn create_key(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<CreateKeyBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_session()?;
    let body = body.into_inner();
    let input = NewApiKeyInput {
        name: body.name,
        expires_at: body.expires_at,
        scopes: body.scopes,
    };
    let (key, secret) = state
        .api_keys
        .create(&caller.0.user, path.into_inner(), input)
        .await?;
    let mut body = key_json(&key);
    body["key"] = Value::String(secret.expose().to_owned());
    Ok(HttpResponse::Created().json(body))
}

#[delete("/api/orgs/{org_id}/api-keys/{id}")]
async fn revoke_key(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    state.api_keys.revoke(&caller.0.user, org, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

//! Secrets (write-only), the runtime read, and API keys.

use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tenantry_domain::{
    ApiKey, SecretString,
    secrets::{SecretMeta, SecretScope},
    services::{api_keys::NewApiKeyInput, secrets::PutSecretInput},
};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::problem_responses::{
    InvalidInput, JsonBodyRefused, NotVisible, RoleTooLow, Unauthenticated, Unavailable,
};
use crate::{ApiError, AppState, auth::Caller, wire::rfc3339_text};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_secrets)
        .service(put_secret)
        .service(delete_secret)
        .service(runtime_secrets)
        .service(list_keys)
        .service(create_key)
        .service(revoke_key);
}

/// A secret as listed: never its value.
#[derive(Serialize, ToSchema)]
pub(crate) struct SecretBody {
    name: String,
    description: Option<String>,
    /// `user` or `org`.
    #[schema(value_type = crate::wire_names::ScopeName)]
    scope: SecretScope,
    created_at: String,
    updated_at: String,
}

fn secret_body(meta: &SecretMeta) -> SecretBody {
    SecretBody {
        name: meta.name.clone(),
        description: meta.description.clone(),
        scope: meta.scope,
        created_at: rfc3339_text(&meta.created_at),
        updated_at: rfc3339_text(&meta.updated_at),
    }
}

/// An API key as listed: never the key.
#[derive(Serialize, ToSchema)]
pub(crate) struct ApiKeyBody {
    id: Uuid,
    name: String,
    /// `tnt_<id part>`: recognisable, not secret.
    prefix: String,
    user_id: Uuid,
    scopes: Vec<String>,
    created_at: String,
    last_used_at: Option<String>,
    expires_at: Option<String>,
}

fn key_body(key: &ApiKey) -> ApiKeyBody {
    ApiKeyBody {
        id: key.id,
        name: key.name.clone(),
        prefix: key.prefix.clone(),
        user_id: key.user_id,
        scopes: key.scopes.iter().map(|scope| scope.as_str().to_owned()).collect(),
        created_at: rfc3339_text(&key.created_at),
        last_used_at: key.last_used_at.as_ref().map(rfc3339_text),
        expires_at: key.expires_at.as_ref().map(rfc3339_text),
    }
}

/// A new API key: the key is shown this once.
#[derive(Serialize, ToSchema)]
pub(crate) struct CreatedApiKeyBody {
    #[serde(flatten)]
    key: ApiKeyBody,
    /// The whole key; store it now, it is never shown again.
    #[serde(rename = "key")]
    secret: String,
}

/// Secrets as listed.
#[derive(Serialize, ToSchema)]
pub(crate) struct SecretList {
    items: Vec<SecretBody>,
}

/// API keys as listed.
#[derive(Serialize, ToSchema)]
pub(crate) struct ApiKeyList {
    items: Vec<ApiKeyBody>,
}

/// Decrypted secrets for a conversation's runtime.
#[derive(Serialize, ToSchema)]
pub(crate) struct RuntimeSecretsBody {
    secrets: std::collections::BTreeMap<String, String>,
}

#[utoipa::path(
    tag = "secrets",
    summary = "Secrets of the org and mine: never values",
    params(("org_id" = Uuid, Path, description = "The org")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Secrets", body = SecretList),
        Unauthenticated, NotVisible, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/secrets")]
pub(crate) async fn list_secrets(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let secrets = state.secrets.list(&caller.0, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(SecretList {
        items: secrets.iter().map(secret_body).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct PutSecretBody {
    #[schema(value_type = String, format = Password, max_length = 65536)]
    value: SecretString,
    #[schema(max_length = 500)]
    description: Option<String>,
    #[schema(value_type = crate::wire_names::ScopeName)]
    scope: SecretScope,
}

#[utoipa::path(
    tag = "secrets",
    summary = "Create or replace a secret (user: developer+, org: admin+)",
    params(("org_id" = Uuid, Path, description = "The org"), ("name" = String, Path, description = "[A-Z_][A-Z0-9_]*", pattern = r"^[A-Z_][A-Z0-9_]{0,63}$")),
    request_body = PutSecretBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Stored", body = SecretBody),
        Unauthenticated, RoleTooLow, NotVisible, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[put("/api/orgs/{org_id}/secrets/{name}")]
pub(crate) async fn put_secret(
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
    let meta = state.secrets.put(&caller.0, org, &name, input).await?;
    Ok(HttpResponse::Ok().json(secret_body(&meta)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ScopeQuery {
    #[param(value_type = Option<crate::wire_names::ScopeName>)]
    scope: Option<SecretScope>,
}

#[utoipa::path(
    tag = "secrets",
    summary = "Delete a secret",
    params(("org_id" = Uuid, Path, description = "The org"), ("name" = String, Path, description = "The secret", pattern = r"^[A-Z_][A-Z0-9_]{0,63}$"), ScopeQuery),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        Unauthenticated, RoleTooLow, NotVisible, InvalidInput, Unavailable
    )
)]
#[delete("/api/orgs/{org_id}/secrets/{name}")]
pub(crate) async fn delete_secret(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
    query: web::Query<ScopeQuery>,
) -> Result<HttpResponse, ApiError> {
    let (org, name) = path.into_inner();
    let scope = query.scope.unwrap_or(SecretScope::User);
    state.secrets.delete(&caller.0, org, &name, scope).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    tag = "secrets",
    summary = "Decrypted secrets for the conversation runtime (creator or admin+; API keys need secrets:read)",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The conversation")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Values", body = RuntimeSecretsBody),
        Unauthenticated, RoleTooLow, NotVisible, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/conversations/{id}/runtime-secrets")]
pub(crate) async fn runtime_secrets(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    let values = state.secrets.runtime_values(&caller.0, org, id).await?;
    let secrets = values
        .into_iter()
        .map(|(name, value)| (name, value.expose().to_owned()))
        .collect();
    Ok(HttpResponse::Ok().json(RuntimeSecretsBody { secrets }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListKeysQuery {
    all: Option<bool>,
}

#[utoipa::path(
    tag = "api-keys",
    summary = "My API keys (admins: ?all=true)",
    params(("org_id" = Uuid, Path, description = "The org"), ListKeysQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Keys", body = ApiKeyList),
        Unauthenticated, RoleTooLow, NotVisible, InvalidInput, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/api-keys")]
pub(crate) async fn list_keys(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    query: web::Query<ListKeysQuery>,
) -> Result<HttpResponse, ApiError> {
    let keys = state
        .api_keys
        .list(&caller.0, path.into_inner(), query.all.unwrap_or(false))
        .await?;
    Ok(HttpResponse::Ok().json(ApiKeyList {
        items: keys.iter().map(key_body).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct CreateKeyBody {
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    name: String,
    expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    #[schema(value_type = Vec<String>, example = json!(["secrets:read"]))]
    scopes: Vec<String>,
}

#[utoipa::path(
    tag = "api-keys",
    summary = "Create an API key (developer+); shown once",
    params(("org_id" = Uuid, Path, description = "The org")),
    request_body = CreateKeyBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = CreatedApiKeyBody),
        Unauthenticated, RoleTooLow, NotVisible, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/orgs/{org_id}/api-keys")]
pub(crate) async fn create_key(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<CreateKeyBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let input = NewApiKeyInput {
        name: body.name,
        expires_at: body.expires_at,
        scopes: body.scopes,
    };
    let (key, secret) = state.api_keys.create(&caller.0, path.into_inner(), input).await?;
    Ok(HttpResponse::Created().json(CreatedApiKeyBody {
        key: key_body(&key),
        secret: secret.expose().to_owned(),
    }))
}

#[utoipa::path(
    tag = "api-keys",
    summary = "Revoke an API key (its owner or admin+)",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The key")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked"),
        Unauthenticated, RoleTooLow, NotVisible, Unavailable
    )
)]
#[delete("/api/orgs/{org_id}/api-keys/{id}")]
pub(crate) async fn revoke_key(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    state.api_keys.revoke(&caller.0, org, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

//! Org settings, member overrides, effective settings, user preferences.

use actix_web::{HttpResponse, get, patch, web};
use serde_json::{Map, Value};
use tenantry_domain::services::settings::SettingsView;
use uuid::Uuid;

use crate::problem_responses::{
    InvalidInput, JsonBodyRefused, NotVisible, RoleTooLow, Unauthenticated, Unavailable,
};
use crate::{ApiError, AppState, auth::Caller};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_org_settings)
        .service(patch_org_settings)
        .service(get_my_settings)
        .service(patch_my_settings)
        .service(effective_settings)
        .service(get_preferences)
        .service(patch_preferences);
}

/// Plain values, `<field>_set` for every secret field, and (org settings) `locked_fields`.
fn render(view: SettingsView, with_locks: bool) -> Value {
    let mut body = view.values;
    for (name, kind) in tenantry_domain::settings::SETTINGS_FIELDS {
        if *kind == tenantry_domain::settings::FieldKind::Secret {
            body.insert(
                format!("{name}_set"),
                Value::Bool(view.secrets_set.iter().any(|set| set == name)),
            );
        }
    }
    if with_locks {
        body.insert("locked_fields".into(), serde_json::json!(view.locked));
    }
    Value::Object(body)
}

#[utoipa::path(
    tag = "settings",
    summary = "Org settings (secret fields show as <field>_set)",
    params(("org_id" = Uuid, Path, description = "The org")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Settings", body = Object),
        Unauthenticated, NotVisible, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/settings")]
pub(crate) async fn get_org_settings(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let view = state.settings.org_settings(&caller.0, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(render(view, true)))
}

#[utoipa::path(
    tag = "settings",
    summary = "Change org settings and locked_fields (admin+)",
    params(("org_id" = Uuid, Path, description = "The org")),
    request_body = Object,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Settings", body = Object),
        Unauthenticated, RoleTooLow, NotVisible, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[patch("/api/orgs/{org_id}/settings")]
pub(crate) async fn patch_org_settings(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .settings
        .update_org_settings(&caller.0, path.into_inner(), &body)
        .await?;
    Ok(HttpResponse::Ok().json(render(view, true)))
}

#[utoipa::path(
    tag = "settings",
    summary = "My overrides in the org",
    params(("org_id" = Uuid, Path, description = "The org")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Settings", body = Object),
        Unauthenticated, NotVisible, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/settings/me")]
pub(crate) async fn get_my_settings(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let view = state.settings.my_settings(&caller.0, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(render(view, false)))
}

#[utoipa::path(
    tag = "settings",
    summary = "Change my overrides (locked fields: 403)",
    params(("org_id" = Uuid, Path, description = "The org")),
    request_body = Object,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Settings", body = Object),
        Unauthenticated, RoleTooLow, NotVisible, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[patch("/api/orgs/{org_id}/settings/me")]
pub(crate) async fn patch_my_settings(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .settings
        .update_my_settings(&caller.0, path.into_inner(), &body)
        .await?;
    Ok(HttpResponse::Ok().json(render(view, false)))
}

#[utoipa::path(
    tag = "settings",
    summary = "Org settings merged with my overrides",
    params(("org_id" = Uuid, Path, description = "The org")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Settings", body = Object),
        Unauthenticated, NotVisible, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/settings/effective")]
pub(crate) async fn effective_settings(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let view = state.settings.effective(&caller.0, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(render(view, true)))
}

#[utoipa::path(
    tag = "settings",
    summary = "My preferences",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Preferences", body = Object),
        Unauthenticated, Unavailable
    )
)]
#[get("/api/user/settings")]
pub(crate) async fn get_preferences(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.settings.preferences(&caller.0).await?))
}

#[utoipa::path(
    tag = "settings",
    summary = "Change my preferences",
    request_body = Object,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Preferences", body = Object),
        Unauthenticated, RoleTooLow, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[patch("/api/user/settings")]
pub(crate) async fn patch_preferences(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.settings.update_preferences(&caller.0, &body).await?))
}

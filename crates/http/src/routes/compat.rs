//! Aliases for clients of the FastAPI-Users/Jetstream-style team API: "team" means org.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use tenantry_domain::SecretString;
use uuid::Uuid;

use crate::{
    ApiError, AppState,
    auth::{Caller, client_address},
    routes::{auth, members, orgs},
};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/auth/register-with-team", web::post().to(auth::register))
        .route("/api/auth/users/me", web::get().to(auth::me))
        .route("/api/auth/jwt/login", web::post().to(form_login))
        .service(
            web::resource("/api/teams")
                .route(web::get().to(list_teams))
                .route(web::post().to(create_team)),
        )
        .route("/api/teams/{team_id}", web::get().to(get_team))
        .route("/api/teams/{team_id}/members", web::post().to(add_team_member));
}

#[derive(Deserialize)]
struct FormLogin {
    username: String,
    password: SecretString,
}

#[derive(Serialize)]
struct BearerToken {
    access_token: String,
    token_type: &'static str,
}

async fn form_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<FormLogin>,
) -> Result<HttpResponse, ApiError> {
    let address = client_address(&req, state.trust_forwarded_headers);
    let tokens = state
        .identity
        .login(&form.username, &form.password, address.as_deref())
        .await?;
    Ok(HttpResponse::Ok().json(BearerToken {
        access_token: tokens.access_token.expose().to_owned(),
        token_type: "bearer",
    }))
}

async fn list_teams(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    orgs::list_orgs_response(&state, &caller).await
}

async fn create_team(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<orgs::CreateOrgBody>,
) -> Result<HttpResponse, ApiError> {
    orgs::create_org_response(&state, &caller, body.into_inner()).await
}

async fn get_team(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    orgs::get_org_response(&state, &caller, path.into_inner()).await
}

async fn add_team_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<members::EmailAndRoleBody>,
) -> Result<HttpResponse, ApiError> {
    members::add_member_response(&state, &caller, path.into_inner(), body.into_inner()).await
}

//! Aliases for clients of the FastAPI-Users/Jetstream-style team API: "team" means org.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use tenantry_domain::{DomainError, SecretString, services::identity::LoginOutcome};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::problem_responses::{
    Conflict, InvalidInput, JsonBodyRefused, NotVisible, RoleTooLow, Unauthenticated, Unavailable,
};
use crate::{
    ApiError, AppState, Problem,
    auth::Caller,
    client_address::client_address,
    routes::members::MemberBody,
    routes::orgs::OrgBody,
    routes::orgs::OrgList,
    routes::{
        auth, members,
        members::EmailAndRoleBody,
        orgs::{self, CreateOrgBody},
    },
};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(register_with_team)
        .service(users_me)
        .service(form_login)
        .service(list_teams)
        .service(create_team)
        .service(get_team)
        .service(add_team_member);
}

#[utoipa::path(
    tag = "compatibility",
    summary = "Alias of /api/auth/register",
    request_body = auth::RegisterBody,
    security(()),
    responses(
        (status = 201, description = "Registered", body = crate::routes::auth::RegisteredBody),
        Conflict, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/auth/register-with-team")]
pub(crate) async fn register_with_team(
    state: web::Data<AppState>,
    body: web::Json<auth::RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    auth::register_response(&state, body.into_inner()).await
}

#[utoipa::path(
    tag = "compatibility",
    summary = "Alias of /api/auth/me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = crate::routes::auth::MeBody),
        Unauthenticated, Unavailable
    )
)]
#[get("/api/auth/users/me")]
pub(crate) async fn users_me(caller: Caller) -> HttpResponse {
    auth::me_response(&caller)
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct FormLogin {
    username: String,
    #[schema(value_type = String, format = Password)]
    password: SecretString,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct BearerToken {
    access_token: String,
    token_type: &'static str,
}

#[utoipa::path(
    tag = "compatibility",
    summary = "Form login (username, password)",
    request_body(content = FormLogin, content_type = "application/x-www-form-urlencoded"),
    security(()),
    responses(
        (status = 200, description = "Access token", body = BearerToken),
        (status = 429, description = "Too many attempts (see Retry-After)", body = Problem, content_type = "application/problem+json"),
        Unauthenticated, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/auth/jwt/login")]
pub(crate) async fn form_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<FormLogin>,
) -> Result<HttpResponse, ApiError> {
    let address = client_address(&req, &state.trusted_proxies);
    let outcome = state
        .identity
        .login(&form.username, &form.password, address.as_deref())
        .await?;
    // This form has no second step: accounts with MFA sign in through /api/auth/login.
    let LoginOutcome::Signed(tokens) = outcome else {
        return Err(DomainError::Unauthorized("mfa_required").into());
    };
    Ok(HttpResponse::Ok().json(BearerToken {
        access_token: tokens.access_token.expose().to_owned(),
        token_type: "bearer",
    }))
}

#[utoipa::path(
    tag = "compatibility",
    summary = "Alias of GET /api/orgs",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Orgs", body = OrgList),
        Unauthenticated, Unavailable
    )
)]
#[get("/api/teams")]
pub(crate) async fn list_teams(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    orgs::list_orgs_response(&state, &caller).await
}

#[utoipa::path(
    tag = "compatibility",
    summary = "Alias of POST /api/orgs",
    request_body = CreateOrgBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = OrgBody),
        Unauthenticated, Conflict, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/teams")]
pub(crate) async fn create_team(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<orgs::CreateOrgBody>,
) -> Result<HttpResponse, ApiError> {
    orgs::create_org_response(&state, &caller, body.into_inner()).await
}

#[utoipa::path(
    tag = "compatibility",
    summary = "Alias of GET /api/orgs/{org_id}",
    params(("team_id" = Uuid, Path, description = "The org")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The org", body = OrgBody),
        Unauthenticated, NotVisible, Unavailable
    )
)]
#[get("/api/teams/{team_id}")]
pub(crate) async fn get_team(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    orgs::get_org_response(&state, &caller, path.into_inner()).await
}

#[utoipa::path(
    tag = "compatibility",
    summary = "Alias of POST /api/orgs/{org_id}/members",
    params(("team_id" = Uuid, Path, description = "The org")),
    request_body = EmailAndRoleBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = MemberBody),
        Unauthenticated, RoleTooLow, NotVisible, Conflict, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/teams/{team_id}/members")]
pub(crate) async fn add_team_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<members::EmailAndRoleBody>,
) -> Result<HttpResponse, ApiError> {
    members::add_member_response(&state, &caller, path.into_inner(), body.into_inner()).await
}

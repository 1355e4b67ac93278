//! Identity routes: register, login, sessions, verification, recovery.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use tenantry_domain::{SecretString, services::identity::RegisterInput};

use crate::{
    ApiError, AppState,
    auth::{Caller, client_address},
    dto::{MeBody, OrgSummaryBody, RegisteredBody, TokenBody},
};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/auth/register", web::post().to(register))
        .route("/api/auth/me", web::get().to(me))
        .service(login)
        .service(refresh)
        .service(logout)
        .service(logout_all)
        .service(change_password)
        .service(request_verification)
        .service(verify_email)
        .service(request_password_reset)
        .service(reset_password);
}

#[derive(Deserialize)]
pub(crate) struct RegisterBody {
    email: String,
    password: SecretString,
    name: Option<String>,
}

/// Also served as `/api/auth/register-with-team`.
pub(crate) async fn register(
    state: web::Data<AppState>,
    body: web::Json<RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let registered = state
        .identity
        .register(RegisterInput {
            email: body.email,
            password: body.password,
            name: body.name,
        })
        .await?;
    Ok(HttpResponse::Created().json(RegisteredBody {
        user: MeBody::from(&registered.user),
        org: OrgSummaryBody::owner_of(&registered.org),
        tokens: TokenBody::from(registered.tokens),
    }))
}

#[derive(Deserialize)]
struct LoginBody {
    email: String,
    password: SecretString,
}

#[post("/api/auth/login")]
async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LoginBody>,
) -> Result<HttpResponse, ApiError> {
    let address = client_address(&req, state.trust_forwarded_headers);
    let tokens = state
        .identity
        .login(&body.email, &body.password, address.as_deref())
        .await?;
    Ok(HttpResponse::Ok().json(TokenBody::from(tokens)))
}

#[derive(Deserialize)]
struct RefreshBody {
    refresh_token: SecretString,
}

#[post("/api/auth/refresh")]
async fn refresh(state: web::Data<AppState>, body: web::Json<RefreshBody>) -> Result<HttpResponse, ApiError> {
    let tokens = state.identity.refresh(&body.refresh_token).await?;
    Ok(HttpResponse::Ok().json(TokenBody::from(tokens)))
}

#[post("/api/auth/logout")]
async fn logout(state: web::Data<AppState>, body: web::Json<RefreshBody>) -> Result<HttpResponse, ApiError> {
    state.identity.logout(&body.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[post("/api/auth/logout-all")]
async fn logout_all(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.require_session()?;
    state.identity.logout_all(caller.0.user.id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Also served as `/api/auth/users/me`.
pub(crate) async fn me(caller: Caller) -> HttpResponse {
    HttpResponse::Ok().json(MeBody::from(&caller.0.user))
}

#[derive(Deserialize)]
struct ChangePasswordBody {
    current_password: SecretString,
    new_password: SecretString,
}

#[post("/api/auth/password")]
async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<ChangePasswordBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_session()?;
    state
        .identity
        .change_password(
            caller.0.user.id,
            caller.0.session_id,
            &body.current_password,
            &body.new_password,
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[post("/api/auth/verify-email/request")]
async fn request_verification(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    state.identity.request_email_verification(&caller.0.user).await?;
    Ok(HttpResponse::Accepted().finish())
}

#[derive(Deserialize)]
struct TokenOnlyBody {
    token: SecretString,
}

#[post("/api/auth/verify-email")]
async fn verify_email(
    state: web::Data<AppState>,
    body: web::Json<TokenOnlyBody>,
) -> Result<HttpResponse, ApiError> {
    state.identity.verify_email(&body.token).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
struct ResetRequestBody {
    email: String,
}

#[post("/api/auth/password-reset/request")]
async fn request_password_reset(
    state: web::Data<AppState>,
    body: web::Json<ResetRequestBody>,
) -> Result<HttpResponse, ApiError> {
    state.identity.request_password_reset(&body.email).await?;
    Ok(HttpResponse::Accepted().finish())
}

#[derive(Deserialize)]
struct ResetBody {
    token: SecretString,
    new_password: SecretString,
}

#[post("/api/auth/password-reset")]
async fn reset_password(
    state: web::Data<AppState>,
    body: web::Json<ResetBody>,
) -> Result<HttpResponse, ApiError> {
    state
        .identity
        .reset_password(&body.token, &body.new_password)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

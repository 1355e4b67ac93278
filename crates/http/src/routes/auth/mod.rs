//! Identity routes: register, login, sessions, verification, recovery.

pub(crate) mod bodies;
mod mfa;
mod sessions;
mod sso;

pub(crate) use bodies::*;
pub(crate) use mfa::*;
pub(crate) use sessions::*;
pub(crate) use sso::*;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use tenantry_domain::{SecretString, services::identity::RegisterInput};

use utoipa::ToSchema;

use crate::problem_responses::{
    Conflict, InvalidInput, JsonBodyRefused, NotVisible, RoleTooLow, Unauthenticated, Unavailable,
};
use crate::{
    ApiError, AppState, Problem, auth::Caller, client_address::client_address,
    routes::orgs::bodies::OrgSummaryBody,
};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(register)
        .service(me)
        .service(login)
        .service(refresh)
        .service(logout)
        .service(logout_all)
        .service(list_sessions)
        .service(end_session)
        .service(rename_me)
        .service(change_password)
        .service(request_verification)
        .service(verify_email)
        .service(request_password_reset)
        .service(reset_password)
        .service(totp_setup)
        .service(totp_confirm)
        .service(mfa_verify)
        .service(mfa_disable)
        .service(sso_start)
        .service(sso_callback)
        .service(sso_exchange);
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct RegisterBody {
    #[schema(max_length = 254, example = "alice@example.com")]
    email: String,
    #[schema(value_type = String, format = Password, min_length = 12, max_length = 128)]
    password: SecretString,
    #[schema(max_length = 100, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    name: Option<String>,
}

#[utoipa::path(
    tag = "identity",
    summary = "Register: user, personal org and first session",
    request_body = RegisterBody,
    security(()),
    responses(
        (status = 201, description = "Registered", body = RegisteredBody),
        Conflict, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/auth/register")]
pub(crate) async fn register(
    state: web::Data<AppState>,
    body: web::Json<RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    register_response(&state, body.into_inner()).await
}

/// Registration, shared with `/api/auth/register-with-team`.
pub(crate) async fn register_response(
    state: &AppState,
    body: RegisterBody,
) -> Result<HttpResponse, ApiError> {
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

#[derive(Deserialize, ToSchema)]
pub(crate) struct LoginBody {
    email: String,
    #[schema(value_type = String, format = Password)]
    password: SecretString,
}

#[utoipa::path(
    tag = "identity",
    summary = "Log in",
    request_body = LoginBody,
    security(()),
    responses(
        (status = 200, description = "Token pair, or (with MFA on) the token for the second step", body = LoginReply),
        (status = 429, description = "Too many attempts (see Retry-After)", body = Problem, content_type = "application/problem+json"),
        Unauthenticated, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/auth/login")]
pub(crate) async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LoginBody>,
) -> Result<HttpResponse, ApiError> {
    let address = client_address(&req, &state.trusted_proxies);
    let outcome = state
        .identity
        .login(&body.email, &body.password, address.as_deref())
        .await?;
    Ok(HttpResponse::Ok().json(LoginReply::from(outcome)))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct RefreshBody {
    #[schema(value_type = String, format = Password)]
    refresh_token: SecretString,
}

#[utoipa::path(
    tag = "identity",
    summary = "Rotate a refresh token",
    request_body = RefreshBody,
    security(()),
    responses(
        (status = 200, description = "New token pair", body = TokenBody),
        Unauthenticated, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/auth/refresh")]
pub(crate) async fn refresh(
    state: web::Data<AppState>,
    body: web::Json<RefreshBody>,
) -> Result<HttpResponse, ApiError> {
    let tokens = state.identity.refresh(&body.refresh_token).await?;
    Ok(HttpResponse::Ok().json(TokenBody::from(tokens)))
}

#[utoipa::path(
    tag = "identity",
    summary = "End the session of a refresh token",
    request_body = RefreshBody,
    security(()),
    responses(
        (status = 204, description = "Session ended"),
        JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/auth/logout")]
pub(crate) async fn logout(
    state: web::Data<AppState>,
    body: web::Json<RefreshBody>,
) -> Result<HttpResponse, ApiError> {
    state.identity.logout(&body.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    tag = "identity",
    summary = "End every session of the caller",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "All sessions ended"),
        Unauthenticated, RoleTooLow, Unavailable
    )
)]
#[post("/api/auth/logout-all")]
pub(crate) async fn logout_all(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    state.identity.logout_all(&caller.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    tag = "identity",
    summary = "The caller",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = MeBody),
        Unauthenticated, Unavailable
    )
)]
#[get("/api/auth/me")]
pub(crate) async fn me(caller: Caller) -> HttpResponse {
    me_response(&caller)
}

/// The caller, shared with `/api/auth/users/me`.
pub(crate) fn me_response(caller: &Caller) -> HttpResponse {
    HttpResponse::Ok().json(MeBody::from(&caller.0.user))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct ChangePasswordBody {
    #[schema(value_type = String, format = Password)]
    current_password: SecretString,
    #[schema(value_type = String, format = Password, min_length = 12, max_length = 128)]
    new_password: SecretString,
}

#[utoipa::path(
    tag = "identity",
    summary = "Change the password (other sessions end)",
    request_body = ChangePasswordBody,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Changed"),
        Unauthenticated, RoleTooLow, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/auth/password")]
pub(crate) async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<ChangePasswordBody>,
) -> Result<HttpResponse, ApiError> {
    state
        .identity
        .change_password(&caller.0, &body.current_password, &body.new_password)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    tag = "identity",
    summary = "Mail an email verification link",
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Mail sent (or already verified)"),
        Unauthenticated, Unavailable
    )
)]
#[post("/api/auth/verify-email/request")]
pub(crate) async fn request_verification(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    state.identity.request_email_verification(&caller.0).await?;
    Ok(HttpResponse::Accepted().finish())
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct TokenOnlyBody {
    #[schema(value_type = String, format = Password)]
    token: SecretString,
}

#[utoipa::path(
    tag = "identity",
    summary = "Verify the email with a mailed token",
    request_body = TokenOnlyBody,
    security(()),
    responses(
        (status = 204, description = "Verified"),
        (status = 410, description = "Expired", body = Problem, content_type = "application/problem+json"),
        NotVisible, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/auth/verify-email")]
pub(crate) async fn verify_email(
    state: web::Data<AppState>,
    body: web::Json<TokenOnlyBody>,
) -> Result<HttpResponse, ApiError> {
    state.identity.verify_email(&body.token).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct ResetRequestBody {
    email: String,
}

#[utoipa::path(
    tag = "identity",
    summary = "Mail a password reset link",
    request_body = ResetRequestBody,
    security(()),
    responses(
        (status = 202, description = "Accepted whether or not the email exists; the mail (at most 3 an hour per account) is sent afterwards"),
        (status = 429, description = "Too many reset requests from this address (see `Retry-After`)", body = Problem, content_type = "application/problem+json"),
        JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/auth/password-reset/request")]
pub(crate) async fn request_password_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<ResetRequestBody>,
) -> Result<HttpResponse, ApiError> {
    let address = client_address(&req, &state.trusted_proxies);
    state
        .identity
        .request_password_reset(&body.email, address.as_deref())
        .await?;
    Ok(HttpResponse::Accepted().finish())
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct ResetBody {
    #[schema(value_type = String, format = Password)]
    token: SecretString,
    #[schema(value_type = String, format = Password, min_length = 12, max_length = 128)]
    new_password: SecretString,
}

#[utoipa::path(
    tag = "identity",
    summary = "Set a new password with a mailed token",
    request_body = ResetBody,
    security(()),
    responses(
        (status = 204, description = "Password set; every session ended"),
        (status = 410, description = "Expired", body = Problem, content_type = "application/problem+json"),
        NotVisible, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/auth/password-reset")]
pub(crate) async fn reset_password(
    state: web::Data<AppState>,
    body: web::Json<ResetBody>,
) -> Result<HttpResponse, ApiError> {
    state
        .identity
        .reset_password(&body.token, &body.new_password)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

//! Two-factor sign-in: TOTP enrolment, the second step of a sign-in, turning it off.

use actix_web::{HttpRequest, HttpResponse, delete, post, web};
use serde::{Deserialize, Serialize};
use tenantry_domain::{DomainError, SecretString, services::identity::MfaProof};
use utoipa::ToSchema;

use crate::problem_responses::{Conflict, InvalidInput, JsonBodyRefused, Unauthenticated, Unavailable};
use crate::{
    ApiError, AppState, Problem, auth::Caller, client_address::client_address, routes::auth::TokenBody,
};

/// `POST /api/auth/mfa/totp/setup`: shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpSetupBody {
    /// The TOTP secret, base32.
    secret: String,
    /// `otpauth://totp/…` for authenticator apps.
    otpauth_uri: String,
    /// The URI as a QR code, `data:image/svg+xml;base64,…`.
    qr_code: String,
}

/// A code from the authenticator.
#[derive(Deserialize, ToSchema)]
pub(crate) struct TotpCodeBody {
    #[schema(example = "123456", min_length = 6, max_length = 6)]
    code: String,
}

/// `POST /api/auth/mfa/totp/confirm`: the recovery codes, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodesBody {
    /// Ten single-use codes for when the authenticator is lost.
    recovery_codes: Vec<String>,
}

/// The second step of a sign-in: `code` or `recovery_code`.
#[derive(Deserialize, ToSchema)]
pub(crate) struct MfaVerifyBody {
    #[schema(value_type = String, format = Password)]
    mfa_token: SecretString,
    code: Option<String>,
    #[schema(value_type = Option<String>, format = Password)]
    recovery_code: Option<SecretString>,
}

/// Turning MFA off.
#[derive(Deserialize, ToSchema)]
pub(crate) struct MfaDisableBody {
    #[schema(value_type = String, format = Password)]
    password: SecretString,
    code: String,
}

#[utoipa::path(
    tag = "identity",
    summary = "Start TOTP enrolment (the secret and a QR code, shown once)",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Provisioning", body = TotpSetupBody),
        Unauthenticated, Conflict, Unavailable
    )
)]
#[post("/api/auth/mfa/totp/setup")]
pub(crate) async fn totp_setup(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let setup = state.identity.begin_totp(&caller.0).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(TotpSetupBody {
            secret: setup.secret.expose().to_owned(),
            otpauth_uri: setup.otpauth_uri.expose().to_owned(),
            qr_code: setup.qr_svg_data_url,
        }))
}

#[utoipa::path(
    tag = "identity",
    summary = "Turn MFA on with a first code (returns the recovery codes, shown once)",
    request_body = TotpCodeBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "MFA is on", body = RecoveryCodesBody),
        Unauthenticated, Conflict, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/auth/mfa/totp/confirm")]
pub(crate) async fn totp_confirm(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<TotpCodeBody>,
) -> Result<HttpResponse, ApiError> {
    let codes = state.identity.confirm_totp(&caller.0, &body.code).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(RecoveryCodesBody {
            recovery_codes: codes.iter().map(|code| code.expose().to_owned()).collect(),
        }))
}

#[utoipa::path(
    tag = "identity",
    summary = "Second step of a sign-in with MFA: a code or a recovery code (each accepted once)",
    request_body = MfaVerifyBody,
    security(()),
    responses(
        (status = 200, description = "Token pair", body = TokenBody),
        (status = 429, description = "Too many attempts (see Retry-After)", body = Problem, content_type = "application/problem+json"),
        Unauthenticated, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/auth/mfa/verify")]
pub(crate) async fn mfa_verify(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<MfaVerifyBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let proof = match (body.code, body.recovery_code) {
        (Some(code), None) => MfaProof::Code(code),
        (None, Some(recovery_code)) => MfaProof::RecoveryCode(recovery_code),
        _ => {
            return Err(DomainError::invalid("code", "send either code or recovery_code").into());
        }
    };
    let address = client_address(&req, &state.trusted_proxies);
    let tokens = state
        .identity
        .verify_mfa(&body.mfa_token, proof, address.as_deref())
        .await?;
    Ok(HttpResponse::Ok().json(TokenBody::from(tokens)))
}

#[utoipa::path(
    tag = "identity",
    summary = "Turn MFA off (password and a current code)",
    request_body = MfaDisableBody,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "MFA is off"),
        Unauthenticated, Conflict, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[delete("/api/auth/mfa")]
pub(crate) async fn mfa_disable(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<MfaDisableBody>,
) -> Result<HttpResponse, ApiError> {
    state
        .identity
        .disable_mfa(&caller.0, &body.password, &body.code)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

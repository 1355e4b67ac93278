//! Single sign-on with OpenID Connect: start (to the provider), callback (from it), and the
//! exchange of the single-use code a finished sign-in hands to the browser.

use actix_web::{HttpResponse, get, http::header, post, web};
use serde::Deserialize;
use tenantry_domain::{DomainError, SecretString};
use utoipa::{IntoParams, ToSchema};

use crate::problem_responses::{InvalidInput, JsonBodyRefused, NotVisible, Unauthenticated, Unavailable};
use crate::{ApiError, AppState, Problem, routes::auth::LoginReply};

/// Where to go once signed in.
#[derive(Deserialize, IntoParams)]
pub(crate) struct StartQuery {
    /// A path on this server, or a URL under the configured allow-list; the code to exchange is
    /// appended as `sso_code`. Without it, the callback answers with the tokens itself.
    redirect: Option<String>,
}

/// What the provider sends the browser back with.
#[derive(Deserialize, IntoParams)]
pub(crate) struct CallbackQuery {
    /// The state the sign-in started with.
    state: Option<String>,
    /// The authorization code.
    code: Option<String>,
    /// An error the provider reports instead of a code.
    error: Option<String>,
}

/// The code a finished sign-in handed to the browser.
#[derive(Deserialize, ToSchema)]
pub(crate) struct ExchangeBody {
    #[schema(value_type = String, format = Password)]
    code: SecretString,
}

#[utoipa::path(
    tag = "identity",
    summary = "Start single sign-on: redirects to the identity provider",
    description = "`provider` is an install provider's name or an org's id (its own provider). The \
                   redirect carries a fresh state, nonce and PKCE (S256) challenge.",
    params(("provider" = String, Path, description = "Install provider name or org id"), StartQuery),
    security(()),
    responses(
        (status = 302, description = "To the provider's authorization endpoint"),
        NotVisible, InvalidInput, Unavailable,
        (status = 502, description = "The provider's discovery document could not be read", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/api/auth/oidc/{provider}/start")]
pub(crate) async fn sso_start(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<StartQuery>,
) -> Result<HttpResponse, ApiError> {
    let url = state.sso.start(&path, query.redirect.as_deref()).await?;
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, url))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

#[utoipa::path(
    tag = "identity",
    summary = "Single sign-on callback: verifies the provider's answer and signs in",
    description = "Takes the state (once), redeems the code with the PKCE verifier and verifies the ID \
                   token (signature against the issuer's keys, `iss`, `aud`, `exp`, `nonce`). Links \
                   an account only by an email the provider asserts as verified, else creates one. \
                   With a `redirect` at the start, redirects there with `sso_code`; otherwise \
                   answers like a login.",
    params(("provider" = String, Path, description = "Install provider name or org id"), CallbackQuery),
    security(()),
    responses(
        (status = 200, description = "Token pair, or the MFA step", body = LoginReply),
        (status = 302, description = "To the redirect given at the start, with `sso_code`"),
        (status = 403, description = "Email unverified at the provider or outside its domains", body = Problem, content_type = "application/problem+json"),
        Unauthenticated, InvalidInput, Unavailable
    )
)]
#[get("/api/auth/oidc/{provider}/callback")]
pub(crate) async fn sso_callback(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    if query.error.is_some() {
        return Err(DomainError::Unauthorized("sso_failed").into());
    }
    let (Some(sign_in_state), Some(code)) = (query.state, query.code) else {
        return Err(DomainError::invalid("code", "state and code are required").into());
    };
    let finished = state.sso.finish(&path, &sign_in_state, &code).await?;
    let Some(redirect) = finished.redirect else {
        let outcome = state.identity.exchange_sso_code(&finished.code).await?;
        return Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(LoginReply::from(outcome)));
    };
    let separator = if redirect.contains('?') { '&' } else { '?' };
    let location = format!("{redirect}{separator}sso_code={}", finished.code.expose());
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("referrer-policy", "no-referrer"))
        .finish())
}

#[utoipa::path(
    tag = "identity",
    summary = "Exchange the code of a finished single sign-on for tokens (once)",
    request_body = ExchangeBody,
    security(()),
    responses(
        (status = 200, description = "Token pair, or the MFA step", body = LoginReply),
        Unauthenticated, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/auth/oidc/exchange")]
pub(crate) async fn sso_exchange(
    state: web::Data<AppState>,
    body: web::Json<ExchangeBody>,
) -> Result<HttpResponse, ApiError> {
    let outcome = state.identity.exchange_sso_code(&body.code).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(LoginReply::from(outcome)))
}

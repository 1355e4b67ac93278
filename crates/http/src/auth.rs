//! Extractors for who is calling.

use std::{future::Future, pin::Pin};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::header, web};
use tenantry_domain::{
    Claimant, DomainError, api_key::API_KEY_PREFIX, rate_limit::RateLimitStatus, session::AccessClaims,
};

use crate::{ApiError, AppState, rate_limit_headers::CountedRequest, state::AuthMode};

/// The authenticated caller of a request; services decide what it may reach.
#[derive(Debug, Clone)]
pub struct Caller(pub tenantry_domain::Caller);

/// The bearer token of a request, if it has one.
pub(crate) fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim().to_owned())
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::from(DomainError::Internal("state missing".into())))?;
            Ok(Caller(counted_caller(&state, token.as_deref(), &req).await?))
        })
    }
}

/// Who a request says it is, for the reads that confirm a session in the same statement as their
/// data: an access token's verified claims, or a caller confirmed up front (API keys, no-auth).
#[derive(Debug, Clone)]
pub enum Claim {
    /// Confirmed before the read.
    Confirmed(tenantry_domain::Caller),
    /// Signed and unexpired; the read confirms its session.
    Session(AccessClaims),
}

impl Claim {
    /// The claim as services take it.
    pub fn as_claimant(&self) -> Claimant<'_> {
        match self {
            Claim::Confirmed(caller) => Claimant::Confirmed(caller),
            Claim::Session(claims) => Claimant::Session(claims),
        }
    }
}

impl FromRequest for Claim {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::from(DomainError::Internal("state missing".into())))?;
            match token.as_deref() {
                Some(token)
                    if state.auth_mode == AuthMode::Password && !token.starts_with(API_KEY_PREFIX) =>
                {
                    let claims = state.identity.verify_access(token)?;
                    counted(
                        &req,
                        state.rate_limits.check_session(&claims, path_org(&req)).await,
                    )?;
                    Ok(Claim::Session(claims))
                }
                _ => Ok(Claim::Confirmed(
                    counted_caller(&state, token.as_deref(), &req).await?,
                )),
            }
        })
    }
}

/// The caller `token` stands for, counted against the rate limits of the route's org.
async fn counted_caller(
    state: &AppState,
    token: Option<&str>,
    req: &HttpRequest,
) -> Result<tenantry_domain::Caller, DomainError> {
    let caller = authenticate(state, token).await?;
    counted(req, state.rate_limits.check(&caller, path_org(req)).await)?;
    Ok(caller)
}

/// The org a route names, if it names one.
fn path_org(req: &HttpRequest) -> Option<uuid::Uuid> {
    req.match_info()
        .get("org_id")
        .and_then(|raw| raw.parse::<uuid::Uuid>().ok())
}

/// Records a rate-limit decision on the request (for its headers); the refusal when limited.
fn counted(
    req: &HttpRequest,
    decision: Result<Option<RateLimitStatus>, (RateLimitStatus, DomainError)>,
) -> Result<(), DomainError> {
    match decision {
        Ok(status) => {
            if let Some(status) = status {
                req.extensions_mut().insert(CountedRequest(status));
            }
            Ok(())
        }
        Err((status, refusal)) => {
            req.extensions_mut().insert(CountedRequest(status));
            Err(refusal)
        }
    }
}

/// The caller a bearer token (or, without authentication, the local user) stands for now.
pub(crate) async fn authenticate(
    state: &AppState,
    token: Option<&str>,
) -> Result<tenantry_domain::Caller, DomainError> {
    match state.auth_mode {
        AuthMode::None { user_id } => Ok(tenantry_domain::Caller::person(
            state.identity.active_user(user_id).await?,
            None,
        )),
        AuthMode::Password => {
            let token = token.ok_or(DomainError::Unauthorized("missing bearer token"))?;
            if token.starts_with(API_KEY_PREFIX) {
                state.api_keys.authenticate(token).await
            } else {
                state.identity.authenticate(token).await
            }
        }
    }
}

/// The header agent servers authenticate with.
pub(crate) const SESSION_KEY_HEADER: &str = "x-session-api-key";

/// A sandbox acting through its session key (`X-Session-API-Key`): only the webhook routes take it.
/// Its requests count against the sandbox's own rate limit.
#[derive(Debug, Clone)]
pub struct SandboxCaller(pub tenantry_domain::services::sandboxes::SandboxActor);

impl FromRequest for SandboxCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let key = req
            .headers()
            .get(SESSION_KEY_HEADER)
            .and_then(|value| value.to_str().ok())
            .map(|value| value.trim().to_owned());
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::from(DomainError::Internal("state missing".into())))?;
            let key = key.ok_or(DomainError::Unauthorized("missing X-Session-API-Key"))?;
            let actor = state.sandboxes.authenticate(&key).await?;
            counted(&req, state.rate_limits.check_sandbox(actor.sandbox.id))?;
            Ok(SandboxCaller(actor))
        })
    }
}

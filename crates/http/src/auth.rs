//! Extractors for who is calling.

use std::{future::Future, pin::Pin};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::header, web};
use tenantry_domain::DomainError;

use crate::{ApiError, AppState, rate_limit_headers::CountedRequest, state::AuthMode};

/// Bearer tokens starting with this are API keys.
const API_KEY_PREFIX: &str = "tnt_";

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
        let org = req
            .match_info()
            .get("org_id")
            .and_then(|raw| raw.parse::<uuid::Uuid>().ok());
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::from(DomainError::Internal("state missing".into())))?;
            let caller = authenticate(&state, token.as_deref()).await?;
            match state.rate_limits.check(&caller, org) {
                Ok(status) => {
                    if let Some(status) = status {
                        req.extensions_mut().insert(CountedRequest(status));
                    }
                    Ok(Caller(caller))
                }
                Err((status, refusal)) => {
                    req.extensions_mut().insert(CountedRequest(status));
                    Err(refusal.into())
                }
            }
        })
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
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::from(DomainError::Internal("state missing".into())))?;
            let key = key.ok_or(DomainError::Unauthorized("missing X-Session-API-Key"))?;
            Ok(SandboxCaller(state.sandboxes.authenticate(&key).await?))
        })
    }
}

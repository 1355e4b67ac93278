//! Extractors for who is calling.

use std::{future::Future, pin::Pin};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use tenantry_domain::{DomainError, services::Authenticated};

use crate::{ApiError, AppState, state::AuthMode};

/// Bearer tokens starting with this are API keys.
const API_KEY_PREFIX: &str = "tnt_";

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller(pub Authenticated);

impl Caller {
    /// Account-level actions (password, sessions) need a signed-in user, not an API key.
    pub fn require_session(&self) -> Result<(), DomainError> {
        if self.0.api_key.is_some() {
            Err(DomainError::Forbidden)
        } else {
            Ok(())
        }
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
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
        let path_org = ["org_id", "team_id"]
            .into_iter()
            .find_map(|name| req.match_info().get(name))
            .map(str::to_owned);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::from(DomainError::Internal("state missing".into())))?;
            let authenticated = match state.auth_mode {
                AuthMode::None { user_id } => Authenticated {
                    user: state.identity.active_user(user_id).await?,
                    session_id: None,
                    api_key: None,
                },
                AuthMode::Password => {
                    let token = token.ok_or(DomainError::Unauthorized("missing bearer token"))?;
                    if token.starts_with(API_KEY_PREFIX) {
                        state.api_keys.authenticate(&token).await?
                    } else {
                        state.identity.authenticate(&token).await?
                    }
                }
            };
            // An API key works in its own org only; every other org does not exist for it.
            if let (Some(grant), Some(org)) = (&authenticated.api_key, path_org)
                && org != grant.org_id.to_string()
            {
                return Err(DomainError::NotFound.into());
            }
            Ok(Caller(authenticated))
        })
    }
}

/// The client's address, for throttling: the peer, or the forwarded address behind a trusted proxy.
pub(crate) fn client_address(req: &HttpRequest, trust_forwarded_headers: bool) -> Option<String> {
    if trust_forwarded_headers {
        return req.connection_info().realip_remote_addr().map(str::to_owned);
    }
    req.peer_addr().map(|addr| addr.ip().to_string())
}

//! Extractors for who is calling.

use std::{future::Future, pin::Pin};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use tenantry_domain::{DomainError, services::Authenticated};

use crate::{ApiError, AppState, state::AuthMode};

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller(pub Authenticated);

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
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::from(DomainError::Internal("state missing".into())))?;
            let authenticated = match state.auth_mode {
                AuthMode::None { user_id } => Authenticated {
                    user: state.identity.active_user(user_id).await?,
                    session_id: None,
                },
                AuthMode::Password => {
                    let token = token.ok_or(DomainError::Unauthorized("missing bearer token"))?;
                    state.identity.authenticate(&token).await?
                }
            };
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

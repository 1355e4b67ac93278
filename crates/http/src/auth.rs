//! Extractors for who is calling.

use std::{future::Future, pin::Pin};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use tenantry_domain::DomainError;

use crate::{ApiError, AppState, state::AuthMode};

/// Bearer tokens starting with this are API keys.
const API_KEY_PREFIX: &str = "tnt_";

/// The authenticated caller of a request; services decide what it may reach.
#[derive(Debug, Clone)]
pub struct Caller(pub tenantry_domain::Caller);

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
            let caller = match state.auth_mode {
                AuthMode::None { user_id } => {
                    tenantry_domain::Caller::person(state.identity.active_user(user_id).await?, None)
                }
                AuthMode::Password => {
                    let token = token.ok_or(DomainError::Unauthorized("missing bearer token"))?;
                    if token.starts_with(API_KEY_PREFIX) {
                        state.api_keys.authenticate(&token).await?
                    } else {
                        state.identity.authenticate(&token).await?
                    }
                }
            };
            Ok(Caller(caller))
        })
    }
}

//! The rate limit headers of the IETF draft (`RateLimit-Policy`, `RateLimit`) on every response
//! whose request counted against a limit, refused ones included.

use actix_web::{
    Error, HttpMessage,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
};
use tenantry_domain::rate_limit::{RateLimitStatus, WINDOW_SECS};

/// What the caller extractor leaves on a request it counted.
#[derive(Debug, Clone)]
pub(crate) struct CountedRequest(pub RateLimitStatus);

/// The middleware (`actix_web::middleware::from_fn(rate_limit_headers)`).
pub async fn rate_limit_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, Error> {
    let mut response = next.call(req).await?;
    let counted = response.request().extensions().get::<CountedRequest>().cloned();
    if let Some(CountedRequest(status)) = counted {
        let policy = status
            .policies
            .iter()
            .map(|(name, quota)| format!("\"{name}\";q={quota};w={WINDOW_SECS}"))
            .collect::<Vec<_>>()
            .join(", ");
        let (name, remaining) = status.tightest;
        let current = format!("\"{name}\";r={remaining};t={}", status.reset_secs);
        let headers = response.headers_mut();
        for (header, value) in [("ratelimit-policy", policy), ("ratelimit", current)] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(header), value);
            }
        }
    }
    Ok(response)
}

//! Every request ends within a deadline, whatever a backing service does. A database or object store
//! that stops answering without closing its connections (a frozen network, a stopped server
//! process) would otherwise hold a request for as long as the kernel keeps the socket, far past the
//! pool's acquire timeout. Past the deadline the request's work is dropped: an open transaction is
//! rolled back (never committed halfway), and the client gets 503 `deadline_exceeded` with
//! `Retry-After`. Time spent receiving the request body does not count: a slow upload is bounded
//! by the body timeout, not by this. Every other 503 leaving the service gets a `Retry-After` here.

use std::{
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::Duration,
};

use actix_web::{
    Error, HttpMessage, HttpResponse,
    body::MessageBody,
    dev::{Payload, ServiceRequest, ServiceResponse},
    error::{InternalError, PayloadError},
    http::{
        Method, StatusCode,
        header::{self, HeaderValue},
    },
    middleware::Next,
    web::{self, Bytes},
};
use futures::Stream;
use tokio::time::Instant;

use crate::{Problem, REQUEST_ID_HEADER, headers::SECURITY_HEADERS, problem::UNAVAILABLE_RETRY_AFTER_SECS};

/// The deadlines of requests.
#[derive(Debug, Clone, Copy)]
pub struct RequestDeadline {
    /// For every request that calls no other service than the database and the object store.
    pub local: Duration,
    /// For requests that wait on an agent server, an identity provider, the payment provider, a
    /// name server or the mail server: their own timeouts bound those calls, so this is `local`
    /// plus the longest of them. Cutting such a request could leave the other side acting on a call
    /// Tenantry never recorded.
    pub outbound: Duration,
}

/// Routes (method, pattern) that call a service outside Tenantry's own storage.
const OUTBOUND_ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/auth/oidc/{provider}/start"),
    ("GET", "/api/auth/oidc/{provider}/callback"),
    ("POST", "/api/auth/oidc/exchange"),
    ("POST", "/api/auth/register"),
    ("POST", "/api/auth/verify-email/request"),
    ("POST", "/api/auth/password-reset/request"),
    ("POST", "/api/orgs/{org_id}/conversations"),
    ("POST", "/api/orgs/{org_id}/conversations/{id}/messages"),
    ("POST", "/api/orgs/{org_id}/conversations/{id}/pause"),
    ("POST", "/api/orgs/{org_id}/conversations/{id}/resume"),
    ("DELETE", "/api/orgs/{org_id}/conversations/{id}"),
    ("PUT", "/api/orgs/{org_id}/sso"),
    ("POST", "/api/orgs/{org_id}/domains/{domain}/verify"),
    ("POST", "/api/orgs/{org_id}/billing/checkout"),
    ("POST", "/api/orgs/{org_id}/sandboxes"),
    ("DELETE", "/api/orgs/{org_id}/sandboxes/{id}"),
    ("POST", "/api/orgs/{org_id}/invitations"),
    ("GET", "/api/orgs/{org_id}/export"),
];

fn is_outbound(method: &Method, pattern: Option<&str>) -> bool {
    pattern.is_some_and(|pattern| {
        OUTBOUND_ROUTES
            .iter()
            .any(|(m, p)| *p == pattern && method.as_str() == *m)
    })
}

/// The middleware (`actix_web::middleware::from_fn(request_deadline)`, with a [`RequestDeadline`]
/// in the app data).
pub async fn request_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, Error> {
    let Some(deadline) = req
        .app_data::<web::Data<RequestDeadline>>()
        .map(|data| *data.get_ref())
    else {
        return next.call(req).await.map(with_retry_after);
    };
    let limit = if is_outbound(req.method(), req.match_pattern().as_deref()) {
        deadline.outbound
    } else {
        deadline.local
    };
    let started = Instant::now();
    let body = Arc::new(BodyClock::default());
    let clocked = ClockedPayload {
        inner: req.take_payload(),
        clock: body.clone(),
    };
    req.set_payload(Payload::from(
        Box::pin(clocked) as Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>
    ));
    // No clone of the request is kept: routing needs it unshared. Past the deadline the answer
    // leaves as an error carrying its full response (outer middleware does not add to it).
    let method = req.method().clone();
    let route = req.match_pattern().unwrap_or_default();
    let call = next.call(req);
    tokio::pin!(call);
    let mut due = started + limit;
    let finished = loop {
        tokio::select! {
            result = &mut call => break Some(result),
            () = tokio::time::sleep_until(due) => {
                let now = Instant::now();
                due = started + limit + body.receiving(now);
                if due <= now {
                    break None;
                }
            }
        }
    };
    match finished {
        Some(result) => result.map(with_retry_after),
        None => {
            tracing::warn!(
                method = %method,
                route = %route,
                secs = limit.as_secs_f64(),
                "request deadline passed; its work was dropped"
            );
            let response = Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "deadline_exceeded",
                format!(
                    "The request did not finish within {} s: a backing service is slow or not \
                     answering. Nothing was changed. Retry later.",
                    limit.as_secs_f64()
                ),
            )
            .to_response();
            Err(InternalError::from_response("request deadline passed", with_own_headers(response)).into())
        }
    }
}

/// When the request body began and finished arriving.
#[derive(Default)]
struct BodyClock {
    span: Mutex<(Option<Instant>, Option<Instant>)>,
}

impl BodyClock {
    /// How long the body has taken to arrive, as of `now`.
    fn receiving(&self, now: Instant) -> Duration {
        match *self.span.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) {
            (Some(began), finished) => finished.unwrap_or(now).saturating_duration_since(began),
            (None, _) => Duration::ZERO,
        }
    }
}

/// The request's payload, noting on `clock` when it is first read and when it ends.
struct ClockedPayload {
    inner: Payload,
    clock: Arc<BodyClock>,
}

impl Stream for ClockedPayload {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_next(cx);
        let mut span = this
            .clock
            .span
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        span.0.get_or_insert(now);
        if matches!(polled, Poll::Ready(None | Some(Err(_)))) && span.1.is_none() {
            span.1 = Some(now);
        }
        polled
    }
}

/// An answer that leaves as an error skips the middleware outside this one: it carries the request id
/// and the security headers itself.
pub(crate) fn with_own_headers(mut response: HttpResponse) -> HttpResponse {
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        if let Ok(name) = header::HeaderName::from_bytes(name.as_bytes()) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    if let Some(id) = crate::observe::current_request_id()
        && let Ok(value) = HeaderValue::from_str(&id)
    {
        headers.insert(header::HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    response
}

/// Adds `Retry-After` to a 503 that has none.
fn with_retry_after<B>(mut response: ServiceResponse<B>) -> ServiceResponse<B> {
    if response.status() == StatusCode::SERVICE_UNAVAILABLE
        && !response.headers().contains_key(header::RETRY_AFTER)
    {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(UNAVAILABLE_RETRY_AFTER_SECS),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outbound_route_is_a_documented_one() {
        for (method, pattern) in OUTBOUND_ROUTES {
            let methods =
                crate::openapi::allowed_methods(pattern).unwrap_or_else(|| panic!("{pattern} is no route"));
            assert!(
                methods.iter().any(|known| known == method),
                "{method} {pattern} is no route"
            );
        }
    }

    #[test]
    fn reads_of_storage_get_the_short_deadline() {
        assert!(!is_outbound(&Method::GET, Some("/api/orgs/{org_id}")));
        assert!(is_outbound(
            &Method::POST,
            Some("/api/orgs/{org_id}/conversations")
        ));
        assert!(!is_outbound(
            &Method::GET,
            Some("/api/orgs/{org_id}/conversations")
        ));
        assert!(!is_outbound(&Method::GET, None));
    }
}

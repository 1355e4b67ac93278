//! Errors as OpenHands clients read them: `{"detail": "<sentence>", "code": "<code>"}` as
//! `application/json`, with the status and `Retry-After` of the problem document they replace.

use actix_web::{
    Error, HttpResponse,
    body::{BoxBody, MessageBody, to_bytes},
    dev::{ServiceRequest, ServiceResponse},
    http::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE},
    middleware::Next,
};
use serde_json::{Value, json};

/// Rewrites the problem documents of the wrapped routes into OpenHands' error shape.
pub(crate) async fn openhands_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let response = next.call(req).await?.map_into_boxed_body();
    let is_problem = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/problem+json"));
    if !is_problem {
        return Ok(response);
    }
    let (request, response) = response.into_parts();
    let status = response.status();
    let kept: Vec<(actix_web::http::header::HeaderName, HeaderValue)> = [RETRY_AFTER, WWW_AUTHENTICATE]
        .into_iter()
        .filter_map(|name| Some((name.clone(), response.headers().get(&name)?.clone())))
        .collect();
    let bytes = to_bytes(response.into_body()).await.unwrap_or_default();
    let problem: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let mut body = json!({
        "detail": problem.get("detail").cloned().unwrap_or_else(|| json!(status.canonical_reason())),
        "code": problem.get("code").cloned().unwrap_or(Value::Null),
    });
    if let Some(errors) = problem.get("errors") {
        body["errors"] = errors.clone();
    }
    let mut rewritten = HttpResponse::build(status);
    for header in kept {
        rewritten.insert_header(header);
    }
    Ok(ServiceResponse::new(request, rewritten.json(body)))
}

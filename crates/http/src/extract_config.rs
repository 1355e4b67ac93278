//! How malformed requests are answered: every extractor failure becomes a problem document.

use actix_web::{
    HttpRequest,
    error::{Error, JsonPayloadError, PathError, QueryPayloadError, UrlencodedError},
    http::StatusCode,
    web,
};
use tenantry_domain::FieldError;

use crate::{ApiError, Problem};

/// JSON bodies: size limit (413), wrong content type (415), malformed (400), wrong shape (422).
pub(crate) fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(|error, _req: &HttpRequest| json_problem(error))
}

fn json_problem(error: JsonPayloadError) -> Error {
    let problem = match error {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "The request body is too large.",
        ),
        JsonPayloadError::ContentType => Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "The request body must be JSON (Content-Type: application/json).",
        ),
        JsonPayloadError::Deserialize(error) if error.is_data() => {
            Problem::validation(vec![FieldError::new("body", error.to_string())])
        }
        JsonPayloadError::Deserialize(error) => Problem::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("The request body is not valid JSON: {error}."),
        ),
        _ => Problem::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "The request body could not be read.",
        ),
    };
    ApiError(problem).into()
}

/// Form bodies (the compatibility login route).
pub(crate) fn form_config(limit: usize) -> web::FormConfig {
    web::FormConfig::default()
        .limit(limit)
        .error_handler(|error, _req: &HttpRequest| {
            let problem = match error {
                UrlencodedError::Overflow { .. } => Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "The request body is too large.",
                ),
                UrlencodedError::ContentType => Problem::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "The request body must be application/x-www-form-urlencoded.",
                ),
                other => Problem::validation(vec![FieldError::new("body", other.to_string())]),
            };
            ApiError(problem).into()
        })
}

/// Path parameters: a malformed id is simply a resource that does not exist.
pub(crate) fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|_error: PathError, _req: &HttpRequest| ApiError(Problem::not_found()).into())
}

/// Query strings: wrong types are validation errors.
pub(crate) fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error: QueryPayloadError, _req: &HttpRequest| {
        ApiError(Problem::validation(vec![FieldError::new(
            "query",
            error.to_string(),
        )]))
        .into()
    })
}

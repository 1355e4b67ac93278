use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use serde::Serialize;
use tenantry_domain::{DomainError, FieldError};

/// Seconds a client is told to wait before retrying a 503 that names no wait of its own: a backing
/// service that is away is usually back, or its outage noticed, within a few seconds.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 2;

/// An RFC 9457 problem document, as sent to clients.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short human summary of the kind.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// Human explanation of this occurrence.
    pub detail: String,
    /// Stable machine-readable code (`not_found`, `email_taken`, …).
    #[schema(value_type = String)]
    pub code: &'static str,
    /// Per-field validation errors, when there are any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<crate::wire_names::FieldErrorSchema>)]
    pub errors: Vec<FieldError>,
    /// Seconds to wait before retrying (also sent as `Retry-After`).
    #[serde(skip)]
    #[schema(ignore)]
    pub retry_after_secs: Option<u64>,
    /// Extension members of some problems (`budget`, `spent`, `resets_at` of `budget_exceeded`).
    #[serde(flatten, skip_serializing_if = "serde_json::Map::is_empty")]
    #[schema(ignore)]
    pub extensions: serde_json::Map<String, serde_json::Value>,
    /// The request's id, as in the `X-Request-Id` header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Problem {
    /// A problem with the given status, code and detail.
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("https://tenantry.dev/problems/{}", code.replace('_', "-")),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code,
            errors: Vec::new(),
            retry_after_secs: None,
            extensions: serde_json::Map::new(),
            request_id: crate::observe::current_request_id(),
        }
    }

    /// 404 for a route or resource that does not exist (or must not be revealed).
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "No such resource.")
    }

    /// 422 with per-field errors.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let mut problem = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "The request contains invalid fields.",
        );
        problem.errors = errors;
        problem
    }

    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The problem as a response, with the problem+json content type.
    pub fn to_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.content_type("application/problem+json");
        if self.status == 401 {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        let retry_after = self.retry_after_secs.or_else(|| {
            (self.status == StatusCode::SERVICE_UNAVAILABLE.as_u16()).then_some(UNAVAILABLE_RETRY_AFTER_SECS)
        });
        if let Some(secs) = retry_after {
            response.insert_header(("Retry-After", secs.to_string()));
        }
        response.json(self)
    }
}

impl From<DomainError> for Problem {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Validation(errors) => Problem::validation(errors),
            DomainError::Unauthorized(why) => {
                // Codes a client acts on; every other reason stays in the log.
                let code = match why {
                    "invalid_credentials"
                    | "invalid_mfa_code"
                    | "mfa_code_reused"
                    | "invalid_mfa_token"
                    | "mfa_required"
                    | "sso_failed"
                    | "sso_state_invalid"
                    | "invalid_sso_code" => why,
                    _ => "unauthorized",
                };
                Problem::new(StatusCode::UNAUTHORIZED, code, unauthorized_detail(code))
            }
            DomainError::Forbidden => Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Your role in this org does not allow this.",
            ),
            DomainError::Refused { code, detail } => Problem::new(StatusCode::FORBIDDEN, code, detail),
            DomainError::Rejected { code, detail } => Problem::new(StatusCode::BAD_REQUEST, code, detail),
            DomainError::BudgetExceeded {
                budget,
                spent,
                resets_at,
            } => {
                let units =
                    |micros: i64| serde_json::json!(tenantry_domain::billing::micros_to_units(micros));
                let mut problem = Problem::new(
                    StatusCode::PAYMENT_REQUIRED,
                    "budget_exceeded",
                    "A budget is used up: no agent starts or continues until it resets or is raised.",
                );
                problem.extensions.insert("budget".into(), units(budget));
                problem.extensions.insert("spent".into(), units(spent));
                problem.extensions.insert("budget_micros".into(), budget.into());
                problem.extensions.insert("spent_micros".into(), spent.into());
                problem
                    .extensions
                    .insert("resets_at".into(), serde_json::json!(resets_at));
                problem
            }
            DomainError::NotFound => Problem::not_found(),
            DomainError::Conflict { code, detail } => Problem::new(StatusCode::CONFLICT, code, detail),
            DomainError::Gone { code } => Problem::new(StatusCode::GONE, code, gone_detail(code)),
            DomainError::LimitReached { code, detail } => {
                Problem::new(StatusCode::TOO_MANY_REQUESTS, code, detail)
            }
            DomainError::TooManyRequests { retry_after } => {
                let secs = retry_after.as_secs().max(1);
                let mut problem = Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_requests",
                    format!("Too many attempts; retry in {secs} s."),
                );
                problem.retry_after_secs = Some(secs);
                problem
            }
            DomainError::BadGateway { code, detail } => {
                Problem::new(StatusCode::BAD_GATEWAY, code, detail.clone())
            }
            DomainError::Unavailable(what) => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                format!("A backing service ({what}) is unavailable; nothing was changed. Retry later."),
            ),
            DomainError::OutcomeUnknown(what) => {
                let mut problem = Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "outcome_unknown",
                    format!(
                        "The database connection was lost while committing ({what}): the change may or \
                         may not have been made. Retry with the same Idempotency-Key, or read before \
                         retrying."
                    ),
                );
                problem.retry_after_secs = Some(1);
                problem
            }
            DomainError::StorageFull(what) => Problem::new(
                StatusCode::INSUFFICIENT_STORAGE,
                "storage_full",
                format!("The {what} has no room left; nothing was changed. Retry once space is freed."),
            ),
            DomainError::Internal(_) => Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "An unexpected error occurred.",
            ),
        }
    }
}

/// What a refused sign-in step means for the person, and what to do next.
fn unauthorized_detail(code: &str) -> &'static str {
    match code {
        "invalid_credentials" => "The email or password is not right.",
        "invalid_mfa_code" => {
            "That code is not right: enter the 6-digit code your authenticator app shows now."
        }
        "mfa_code_reused" => {
            "That code was used already: wait for the next code in your authenticator app (every 30 seconds)."
        }
        "invalid_mfa_token" => "This sign-in took too long or was finished already: sign in again.",
        "mfa_required" => "This account asks for a second factor: sign in with its code.",
        "sso_failed" => "The sign-in provider did not confirm who you are: try signing in again.",
        "sso_state_invalid" => "This sign-in expired or was finished already: start signing in again.",
        "invalid_sso_code" => "This sign-in code was used already or expired: start signing in again.",
        _ => "Missing or invalid credentials.",
    }
}

/// What a link or grant that no longer works means, and what to do next.
fn gone_detail(code: &str) -> &'static str {
    match code {
        "token_expired" => "This link has expired: request a new link.",
        "invitation_expired" => "This invitation has expired: ask the org's admins for a new one.",
        "invitation_revoked" => {
            "This invitation was withdrawn (or its sender may no longer invite): ask the org's admins for a new one."
        }
        "share_expired" => "This share link has expired: ask for a new link.",
        _ => "This is no longer valid.",
    }
}

/// The error type handlers return: anything that becomes a problem document.
#[derive(Debug)]
pub struct ApiError(pub Problem);

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.0.status, self.0.code)
    }
}

impl<E: Into<Problem>> From<E> for ApiError {
    fn from(error: E) -> Self {
        Self(error.into())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        self.0.to_response()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn conflicts_keep_their_code() {
        let problem = Problem::from(DomainError::conflict("last_owner", "An org needs an owner."));
        assert_eq!(problem.status, 409);
        assert_eq!(problem.code, "last_owner");
    }

    #[test]
    fn throttling_carries_retry_after() {
        let problem = Problem::from(DomainError::TooManyRequests {
            retry_after: Duration::from_secs(30),
        });
        assert_eq!(problem.retry_after_secs, Some(30));
        let response = problem.to_response();
        assert_eq!(
            response
                .headers()
                .get("Retry-After")
                .and_then(|v| v.to_str().ok()),
            Some("30")
        );
    }

    #[test]
    fn every_unavailable_carries_retry_after() {
        let response = Problem::from(DomainError::Unavailable("database".into())).to_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response
                .headers()
                .get("Retry-After")
                .and_then(|v| v.to_str().ok()),
            Some("2")
        );
    }

    #[test]
    fn internal_errors_reveal_nothing() {
        let problem = Problem::from(DomainError::Internal(
            "duplicate key value violates users_pkey".into(),
        ));
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("users_pkey"));
    }
}

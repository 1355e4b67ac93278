//! The problem responses routes share, for their OpenAPI entries: list them in a route's
//! `responses(...)` instead of repeating the status, description and `application/problem+json`
//! body each time. Routes with a more specific meaning for a status keep their own line.

use utoipa::IntoResponses;

use crate::Problem;

/// Missing or invalid credentials.
#[derive(IntoResponses)]
#[response(status = 401, content_type = "application/problem+json")]
pub struct Unauthenticated(pub Problem);

/// Role too low, or the org's sign-in policy shuts the caller out (`mfa_required`, `sso_required`).
#[derive(IntoResponses)]
#[response(status = 403, content_type = "application/problem+json")]
pub struct RoleTooLow(pub Problem);

/// Not found (or not visible to the caller).
#[derive(IntoResponses)]
#[response(status = 404, content_type = "application/problem+json")]
pub struct NotVisible(pub Problem);

/// Conflict (see `code`).
#[derive(IntoResponses)]
#[response(status = 409, content_type = "application/problem+json")]
pub struct Conflict(pub Problem);

/// Invalid input (see `errors`).
#[derive(IntoResponses)]
#[response(status = 422, content_type = "application/problem+json")]
pub struct InvalidInput(pub Problem);

/// Database or object store unavailable.
#[derive(IntoResponses)]
#[response(status = 503, content_type = "application/problem+json")]
pub struct Unavailable(pub Problem);

/// A budget is used up (`budget_exceeded`, with `budget`, `spent` and `resets_at`).
#[derive(IntoResponses)]
#[response(status = 402, content_type = "application/problem+json")]
pub struct BudgetUsedUp(pub Problem);

/// What any JSON body can be refused for before the route sees it.
#[derive(IntoResponses)]
pub enum JsonBodyRefused {
    /// Malformed JSON.
    #[response(status = 400, content_type = "application/problem+json")]
    Malformed(Problem),
    /// Body too large.
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(Problem),
    /// Body is not JSON.
    #[response(status = 415, content_type = "application/problem+json")]
    NotJson(Problem),
}

/// A limit of things at once is reached (see `code`, e.g. `sandbox_limit`); stopping one helps,
/// waiting does not.
#[derive(IntoResponses)]
#[response(status = 429, content_type = "application/problem+json")]
pub struct LimitReached(pub Problem);

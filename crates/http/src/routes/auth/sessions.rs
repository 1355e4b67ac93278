//! The signed-in person's own sessions and name: listed, ended one by one, renamed.

use actix_web::{HttpResponse, delete, get, patch, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tenantry_domain::session::{SessionSummary, SignInMethod, SsoSource};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::problem_responses::{
    InvalidInput, JsonBodyRefused, NotVisible, RoleTooLow, Unauthenticated, Unavailable,
};
use crate::{ApiError, AppState, auth::Caller, routes::auth::bodies::MeBody};

/// One live session.
#[derive(Serialize, ToSchema)]
pub(crate) struct SessionBody {
    id: Uuid,
    /// `password` or `sso`.
    #[schema(example = "password")]
    sign_in_method: &'static str,
    /// Through which provider, for `sso`: `install`, an org's id, or `null`.
    sso_provider: Option<String>,
    /// Whether this is the session of the request.
    current: bool,
    #[serde(serialize_with = "crate::wire::rfc3339")]
    created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::wire::rfc3339")]
    expires_at: DateTime<Utc>,
}

impl SessionBody {
    fn of(session: &SessionSummary, current: Option<Uuid>) -> Self {
        let (sign_in_method, sso_provider) = match session.sign_in_method {
            SignInMethod::Password => ("password", None),
            SignInMethod::Sso(source) => ("sso", SsoSource::stored(source)),
        };
        Self {
            id: session.id,
            sign_in_method,
            sso_provider,
            current: current == Some(session.id),
            created_at: session.created_at,
            expires_at: session.expires_at,
        }
    }
}

/// The caller's live sessions, newest first.
#[derive(Serialize, ToSchema)]
pub(crate) struct SessionList {
    items: Vec<SessionBody>,
}

#[utoipa::path(
    tag = "identity",
    summary = "My live sessions, newest first",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Sessions", body = SessionList),
        Unauthenticated, RoleTooLow, Unavailable
    )
)]
#[get("/api/auth/sessions")]
pub(crate) async fn list_sessions(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let sessions = state.identity.sessions(&caller.0).await?;
    Ok(HttpResponse::Ok().json(SessionList {
        items: sessions
            .iter()
            .map(|session| SessionBody::of(session, caller.0.session_id))
            .collect(),
    }))
}

#[utoipa::path(
    tag = "identity",
    summary = "End one of my sessions",
    params(("id" = Uuid, Path, description = "The session")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Ended: its tokens are refused from the next request"),
        Unauthenticated, RoleTooLow, NotVisible, Unavailable
    )
)]
#[delete("/api/auth/sessions/{id}")]
pub(crate) async fn end_session(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state.identity.end_session(&caller.0, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A new name for the caller.
#[derive(Deserialize, ToSchema)]
pub(crate) struct RenameBody {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*\S[^\u0000-\u001f\u007f-\u009f]*$"
    )]
    name: String,
}

#[utoipa::path(
    tag = "identity",
    summary = "Change my name",
    request_body = RenameBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller, renamed", body = MeBody),
        Unauthenticated, RoleTooLow, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[patch("/api/auth/me")]
pub(crate) async fn rename_me(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<RenameBody>,
) -> Result<HttpResponse, ApiError> {
    let user = state.identity.rename(&caller.0, &body.name).await?;
    Ok(HttpResponse::Ok().json(MeBody::from(&user)))
}

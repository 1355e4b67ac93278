//! Share links: managed by whoever may change the conversation, read without login.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tenantry_domain::{DomainError, SecretString, share::ConversationShare, share::SharedConversation};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    ApiError, AppState,
    auth::Caller,
    problem_responses::{
        InvalidInput, JsonBodyRefused, NotVisible, RoleTooLow, Unauthenticated, Unavailable,
    },
    routes::conversations::{
        EventPageBody, EventsQuery,
        stream::{StreamQuery, sse, start_id},
    },
    wire::rfc3339_text,
};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(create_share)
        .service(list_shares)
        .service(revoke_share)
        .service(shared)
        .service(shared_events)
        .service(shared_stream);
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct NewShareBody {
    /// When the link stops working; never when absent.
    expires_at: Option<DateTime<Utc>>,
}

/// A share link (its token only when just created).
#[derive(Serialize, ToSchema)]
pub(crate) struct ShareBody {
    id: Uuid,
    /// Shown once, at creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    /// The link to hand out (at creation).
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    created_by: Uuid,
    created_at: String,
    expires_at: Option<String>,
}

impl ShareBody {
    fn new(share: &ConversationShare) -> Self {
        Self {
            id: share.id,
            token: None,
            url: None,
            created_by: share.created_by,
            created_at: rfc3339_text(&share.created_at),
            expires_at: share.expires_at.as_ref().map(rfc3339_text),
        }
    }
}

/// The conversation's live share links.
#[derive(Serialize, ToSchema)]
pub(crate) struct ShareList {
    items: Vec<ShareBody>,
}

/// What a share link shows.
#[derive(Serialize, ToSchema)]
pub(crate) struct SharedBody {
    title: Option<String>,
    repository: Option<String>,
    status: Option<String>,
    event_count: i64,
    created_at: String,
    last_updated_at: String,
}

impl From<SharedConversation> for SharedBody {
    fn from(conversation: SharedConversation) -> Self {
        Self {
            title: conversation.title,
            repository: conversation.repository,
            status: conversation.status.map(String::from),
            event_count: conversation.event_count,
            created_at: rfc3339_text(&conversation.created_at),
            last_updated_at: rfc3339_text(&conversation.last_updated_at),
        }
    }
}

#[utoipa::path(
    tag = "sharing",
    summary = "Create a read-only share link (creator or admin+)",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The conversation")),
    request_body = NewShareBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; the token is shown this once", body = ShareBody),
        Unauthenticated, RoleTooLow, NotVisible, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/orgs/{org_id}/conversations/{id}/shares")]
pub(crate) async fn create_share(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<NewShareBody>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    let (share, token) = state
        .conversations
        .share(&caller.0, org, id, body.expires_at)
        .await?;
    let token = token.expose().to_owned();
    Ok(HttpResponse::Created().json(ShareBody {
        url: Some(format!("{}/api/shared/{token}", state.public_url)),
        token: Some(token),
        ..ShareBody::new(&share)
    }))
}

#[utoipa::path(
    tag = "sharing",
    summary = "Share links of a conversation (creator or admin+)",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The conversation")),
    security(("bearer" = [])),
    responses((status = 200, description = "Live links, without tokens", body = ShareList), Unauthenticated, RoleTooLow, NotVisible, Unavailable)
)]
#[get("/api/orgs/{org_id}/conversations/{id}/shares")]
pub(crate) async fn list_shares(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    let shares = state.conversations.shares(&caller.0, org, id).await?;
    Ok(HttpResponse::Ok().json(ShareList {
        items: shares.iter().map(ShareBody::new).collect(),
    }))
}

#[utoipa::path(
    tag = "sharing",
    summary = "Revoke a share link (creator or admin+)",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The conversation"),
        ("share_id" = Uuid, Path, description = "The link")),
    security(("bearer" = [])),
    responses((status = 204, description = "Revoked: it fails at the next request"), Unauthenticated, RoleTooLow, NotVisible, Unavailable)
)]
#[delete("/api/orgs/{org_id}/conversations/{id}/shares/{share_id}")]
pub(crate) async fn revoke_share(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, id, share) = path.into_inner();
    state
        .conversations
        .revoke_share(&caller.0, org, id, share)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    tag = "sharing",
    summary = "A shared conversation (no login)",
    security(()),
    params(("token" = String, Path, description = "The share token")),
    responses(
        (status = 200, description = "Title, repository, status and timestamps only", body = SharedBody),
        (status = 410, description = "The link expired (`share_expired`)", body = crate::Problem, content_type = "application/problem+json"),
        NotVisible, Unavailable
    )
)]
#[get("/api/shared/{token}")]
pub(crate) async fn shared(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = SecretString::new(path.into_inner());
    Ok(HttpResponse::Ok().json(SharedBody::from(state.conversations.shared(&token).await?)))
}

#[utoipa::path(
    tag = "sharing",
    summary = "Events of a shared conversation (no login)",
    security(()),
    params(("token" = String, Path, description = "The share token"), EventsQuery),
    responses(
        (status = 200, description = "A page", body = EventPageBody),
        (status = 410, description = "The link expired (`share_expired`)", body = crate::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many anonymous streams of this conversation are open", body = crate::Problem, content_type = "application/problem+json"),
        NotVisible, InvalidInput, Unavailable
    )
)]
#[get("/api/shared/{token}/events")]
pub(crate) async fn shared_events(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<EventsQuery>,
) -> Result<HttpResponse, ApiError> {
    let token = SecretString::new(path.into_inner());
    let page = state
        .conversations
        .shared_events(&token, query.start_id.unwrap_or(0), query.limit.unwrap_or(100))
        .await?;
    Ok(HttpResponse::Ok().json(EventPageBody::from(&page)))
}

#[utoipa::path(
    tag = "sharing",
    summary = "Follow a shared conversation live (Server-Sent Events, no login)",
    security(()),
    params(("token" = String, Path, description = "The share token"), StreamQuery),
    responses(
        (status = 200, description = "The stream; ends with `event: end` when the link is revoked or expires", content_type = "text/event-stream", body = String),
        (status = 410, description = "The link expired (`share_expired`)", body = crate::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many streams of this conversation, or of everything its sharer shares, are open", body = crate::Problem, content_type = "application/problem+json"),
        NotVisible, InvalidInput, Unavailable
    )
)]
#[get("/api/shared/{token}/events/stream")]
pub(crate) async fn shared_stream(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<StreamQuery>,
) -> Result<HttpResponse, ApiError> {
    let token = SecretString::new(path.into_inner());
    let start = start_id(&req, &query)?;
    let follower = state.conversations.follow_shared(&token, start).await?;
    let creator = follower
        .shared_by()
        .ok_or_else(|| DomainError::Internal("a shared stream without its link's creator".into()))?;
    let slot = state
        .streams
        .open_shared(follower.conversation(), creator)
        .await?;
    Ok(sse(follower, slot, &state.streams))
}

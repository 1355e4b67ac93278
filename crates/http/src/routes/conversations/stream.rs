//! `GET …/events/stream`: a conversation's events as Server-Sent Events, live.

use actix_web::{HttpRequest, HttpResponse, get, http::header, post, web};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tenantry_domain::{
    Caller, DomainError, SecretString,
    ports::StreamTicket,
    services::conversations::{CallerCheck, EventFollower, FollowStep, OrgActivity},
};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{ConversationBody, EventBody};
use crate::{
    ApiError, AppState,
    auth::{authenticate, bearer_token},
    problem_responses::{InvalidInput, NotVisible, Unauthenticated, Unavailable},
    stream_limits::{StreamLimits, StreamSlot},
};

/// The last frame of a stream cut short because this instance shuts down: the client opens it
/// again (on another instance) with `Last-Event-ID`.
pub(crate) const SHUTDOWN_END: &str = "event: end\ndata: {\"reason\":\"shutdown\"}\n\n";

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct StreamQuery {
    /// First id to send when there is no `Last-Event-ID` (default 0).
    #[param(minimum = 0)]
    pub(crate) start_id: Option<i64>,
    /// A stream ticket (for `EventSource`, which cannot send headers), instead of a bearer token.
    pub(crate) ticket: Option<String>,
}

/// The person a stream ticket was issued to, for as long as their session lives.
struct TicketCheck {
    state: web::Data<AppState>,
    ticket: StreamTicket,
}

#[async_trait]
impl CallerCheck for TicketCheck {
    async fn current(&self) -> Result<Caller, DomainError> {
        match self.ticket.session_id {
            Some(session) => {
                self.state
                    .identity
                    .person_in_session(self.ticket.user_id, session)
                    .await
            }
            None => Ok(Caller::person(
                self.state.identity.active_user(self.ticket.user_id).await?,
                None,
            )),
        }
    }
}

/// The request's credential, checked again whenever the stream looks at the conversation.
struct BearerCheck {
    state: web::Data<AppState>,
    token: Option<String>,
}

#[async_trait]
impl CallerCheck for BearerCheck {
    async fn current(&self) -> Result<Caller, DomainError> {
        authenticate(&self.state, self.token.as_deref()).await
    }
}

/// Where to start: after `Last-Event-ID` when a client resumes, else `start_id`.
pub(crate) fn start_id(req: &HttpRequest, query: &StreamQuery) -> Result<i64, DomainError> {
    match req.headers().get("last-event-id") {
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|text| text.trim().parse::<i64>().ok())
            .filter(|last| *last >= 0)
            .map(|last| last + 1)
            .ok_or_else(|| DomainError::invalid("Last-Event-ID", "must be an event id")),
        None => Ok(query.start_id.unwrap_or(0)),
    }
}

#[utoipa::path(
    get, path = "/api/orgs/{org_id}/conversations/{id}/events/stream",
    tag = "conversations",
    summary = "Follow events live (Server-Sent Events)",
    description = "Replays the events from `start_id` (or after `Last-Event-ID`), then sends each new \
        event once its append commits, on any instance: `id: <event id>` and `data: {id, timestamp, \
        event}`. A comment heartbeat keeps the connection open. Ends with `event: end` when the \
        conversation is deleted or the caller may no longer read it.",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The conversation"), StreamQuery,
        ("Last-Event-ID" = Option<i64>, Header, description = "Resume after this event")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The stream", content_type = "text/event-stream", body = String),
        (status = 429, description = "Too many open streams (see Retry-After)", body = crate::Problem, content_type = "application/problem+json"),
        Unauthenticated, NotVisible, InvalidInput, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/conversations/{id}/events/stream")]
pub(crate) async fn follow_events(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<StreamQuery>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    let start = start_id(&req, &query)?;
    let token = bearer_token(&req);
    let check: Box<dyn CallerCheck> = match (&query.ticket, token) {
        (Some(ticket), None) => {
            let ticket = state
                .conversations
                .redeem_stream_ticket(&SecretString::new(ticket.as_str()), org, id)
                .await?;
            Box::new(TicketCheck {
                state: state.clone(),
                ticket,
            })
        }
        (_, token) => Box::new(BearerCheck {
            state: state.clone(),
            token,
        }),
    };
    let caller = check.current().await?;
    let slot = state.streams.open(caller.user.id).await?;
    let follower = state.conversations.follow(check, org, id, start).await?;
    Ok(sse(follower, slot, &state.streams))
}

/// What the body stream is doing.
enum Phase {
    Following,
    Ended,
}

pub(crate) fn sse(follower: EventFollower, slot: StreamSlot, limits: &StreamLimits) -> HttpResponse {
    let heartbeat = limits.heartbeat();
    let closed: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> = Box::pin(limits.closed());
    let body = futures::stream::unfold(
        (follower, slot, Phase::Following, closed),
        move |(mut follower, slot, phase, mut closed)| async move {
            if let Phase::Ended = phase {
                return None;
            }
            let step = tokio::select! {
                biased;
                () = &mut closed => None,
                step = tokio::time::timeout(heartbeat, follower.next()) => Some(step),
            };
            let (chunk, phase) = match step {
                None => (SHUTDOWN_END.to_owned(), Phase::Ended),
                Some(Ok(Ok(FollowStep::Events(events)))) => (frames(&events), Phase::Following),
                Some(Ok(Ok(FollowStep::End))) => ("event: end\ndata: {}\n\n".to_owned(), Phase::Ended),
                // The store or database is down: say so, and look again at the next heartbeat.
                Some(Ok(Err(_))) => {
                    tokio::time::sleep(heartbeat.min(std::time::Duration::from_secs(1))).await;
                    (": unavailable, retrying\n\n".to_owned(), Phase::Following)
                }
                Some(Err(_)) => {
                    follower.recheck();
                    (": heartbeat\n\n".to_owned(), Phase::Following)
                }
            };
            Some((
                Ok::<_, actix_web::Error>(web::Bytes::from(chunk)),
                (follower, slot, phase, closed),
            ))
        },
    );
    event_stream(body)
}

fn frames(events: &[tenantry_domain::StoredEvent]) -> String {
    let mut out = String::new();
    for event in events {
        let data = serde_json::to_string(&EventBody::from(event)).unwrap_or_else(|_| "{}".into());
        out.push_str(&format!("id: {}\ndata: {data}\n\n", event.id));
    }
    out
}

/// A stream ticket, shown once.
#[derive(Serialize, ToSchema)]
pub(crate) struct TicketBody {
    /// Pass as `?ticket=` to the stream, once, within a minute.
    ticket: String,
    /// When it stops working.
    expires_at: String,
}

#[utoipa::path(
    post, path = "/api/orgs/{org_id}/conversations/{id}/events/stream-ticket",
    tag = "conversations",
    summary = "A single-use ticket for the event stream (for EventSource)",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The conversation")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Issued: valid once, for 60 seconds, for this conversation", body = TicketBody),
        (status = 403, description = "API keys cannot take tickets", body = crate::Problem, content_type = "application/problem+json"),
        Unauthenticated, NotVisible, Unavailable
    )
)]
#[post("/api/orgs/{org_id}/conversations/{id}/events/stream-ticket")]
pub(crate) async fn stream_ticket(
    state: web::Data<AppState>,
    caller: crate::auth::Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    let (ticket, expires_at) = state
        .conversations
        .issue_stream_ticket(&caller.0, org, id)
        .await?;
    Ok(HttpResponse::Created().json(TicketBody {
        ticket: ticket.expose().to_owned(),
        expires_at: crate::wire::rfc3339_text(&expires_at),
    }))
}

#[utoipa::path(
    get, path = "/api/orgs/{org_id}/conversations/stream",
    tag = "conversations",
    summary = "Follow the org's conversations live (Server-Sent Events)",
    description = "For a live list: `event: conversation` with the conversation as `GET` shows it, each \
        time one the caller may read is created or changes (metadata, status, usage, events); \
        `event: deleted` with `{id}`; a comment heartbeat; `event: end` when the caller leaves the org.",
    params(("org_id" = Uuid, Path, description = "The org")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The stream", content_type = "text/event-stream", body = String),
        (status = 429, description = "Too many open streams (see Retry-After)", body = crate::Problem, content_type = "application/problem+json"),
        Unauthenticated, NotVisible, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/conversations/stream")]
pub(crate) async fn watch_org(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let org = path.into_inner();
    let check = BearerCheck {
        state: state.clone(),
        token: bearer_token(&req),
    };
    let caller = check.current().await?;
    let slot = state.streams.open(caller.user.id).await?;
    let watcher = state.conversations.watch_org(Box::new(check), org).await?;
    let heartbeat = state.streams.heartbeat();
    let closed: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> = Box::pin(state.streams.closed());
    let body = futures::stream::unfold(
        (watcher, slot, false, closed),
        move |(mut watcher, slot, ended, mut closed)| async move {
            if ended {
                return None;
            }
            let step = tokio::select! {
                biased;
                () = &mut closed => None,
                step = tokio::time::timeout(heartbeat, watcher.next()) => Some(step),
            };
            let Some(step) = step else {
                return Some((
                    Ok(web::Bytes::from_static(SHUTDOWN_END.as_bytes())),
                    (watcher, slot, true, closed),
                ));
            };
            let (chunk, ended) = match step {
                Ok(Ok(OrgActivity::Changed(conversation))) => {
                    let data = serde_json::to_string(&ConversationBody::from(conversation.as_ref()))
                        .unwrap_or_else(|_| "{}".into());
                    (format!("event: conversation\ndata: {data}\n\n"), false)
                }
                Ok(Ok(OrgActivity::Deleted(id))) => {
                    (format!("event: deleted\ndata: {{\"id\":\"{id}\"}}\n\n"), false)
                }
                Ok(Ok(OrgActivity::End)) => ("event: end\ndata: {}\n\n".to_owned(), true),
                Ok(Err(_)) => {
                    tokio::time::sleep(heartbeat.min(std::time::Duration::from_secs(1))).await;
                    (": unavailable, retrying\n\n".to_owned(), false)
                }
                Err(_) => (": heartbeat\n\n".to_owned(), false),
            };
            Some((
                Ok::<_, actix_web::Error>(web::Bytes::from(chunk)),
                (watcher, slot, ended, closed),
            ))
        },
    );
    Ok(event_stream(body))
}

fn event_stream<S>(body: S) -> HttpResponse
where
    S: futures::Stream<Item = Result<web::Bytes, actix_web::Error>> + 'static,
{
    // A stream's connection is not reused: a shutdown then waits for no idle keep-alive.
    HttpResponse::Ok()
        .force_close()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body)
}

//! Conversations, their events and their usage.

mod bodies;
pub(crate) mod stream;

pub(crate) use bodies::*;

use actix_web::{HttpResponse, delete, get, patch, post, web};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tenantry_domain::{
    DomainError, Visibility,
    append_idempotency::IdempotencyKey,
    conversation_order::ConversationOrder,
    ports::{ConversationCursor, ConversationPatch, UsageReport},
    services::{
        agent_runs::StartInput,
        conversations::{ConversationListQuery, NewConversationInput, cost_to_micros},
    },
};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::problem_responses::{
    BudgetUsedUp, Conflict, InvalidInput, JsonBodyRefused, NotVisible, RoleTooLow, Unauthenticated,
    Unavailable,
};
use crate::{
    ApiError, AppState, Problem,
    auth::{Caller, Claim},
    extract_config::json_config,
    paging::PageQuery,
    wire::double_option,
};

/// Registers the routes; event appends get their own (larger) body limit.
pub(crate) fn configure(events_body_limit: usize) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.service(create)
            .service(list)
            // Before `{id}`, which would take `stream` for an id.
            .service(stream::watch_org)
            .service(get_one)
            .service(update)
            .service(remove)
            .service(reassign)
            .service(usage)
            .service(message)
            .service(pause)
            .service(resume)
            .service(stream::follow_events)
            .service(stream::stream_ticket)
            .service(
                web::resource("/api/orgs/{org_id}/conversations/{id}/events")
                    .app_data(json_config(events_body_limit))
                    .route(web::post().to(append_events))
                    .route(web::get().to(read_events)),
            );
    }
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct CreateBody {
    #[schema(max_length = 500, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    title: Option<String>,
    #[schema(max_length = 255, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    selected_repository: Option<String>,
    #[schema(max_length = 255, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    selected_branch: Option<String>,
    #[schema(max_length = 255, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    git_provider: Option<String>,
    #[schema(max_length = 255, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    trigger: Option<String>,
    #[schema(max_length = 255, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    llm_model: Option<String>,
    #[schema(value_type = Option<crate::wire_names::VisibilityName>)]
    visibility: Option<Visibility>,
    /// Run it on this sandbox's agent server (one of the caller's, registered with a `url`), with
    /// the caller's effective settings and the org's secrets.
    sandbox_id: Option<Uuid>,
    /// The first user message (with `sandbox_id`).
    #[schema(min_length = 1, max_length = 100000)]
    initial_message: Option<String>,
}

#[utoipa::path(
    tag = "conversations",
    summary = "Start a conversation (developer+); with sandbox_id, on its agent server",
    params(("org_id" = Uuid, Path, description = "The org")),
    request_body = CreateBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = ConversationBody),
        (status = 502, description = "The sandbox's agent server is unreachable, failed or refused (see `code`); nothing recorded", body = Problem, content_type = "application/problem+json"),
        Unauthenticated, RoleTooLow, NotVisible, JsonBodyRefused, InvalidInput, Unavailable, BudgetUsedUp
    )
)]
#[post("/api/orgs/{org_id}/conversations")]
pub(crate) async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<CreateBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if let Some(sandbox_id) = body.sandbox_id {
        let input = StartInput {
            sandbox_id,
            // Tenantry's own route always starts the agent on a first message.
            initial_message: Some(body.initial_message.unwrap_or_default()),
            run_initial_message: true,
            title: body.title,
            selected_repository: body.selected_repository,
            selected_branch: body.selected_branch,
            visibility: body.visibility,
        };
        let conversation = state
            .agent_runs
            .start(&caller.0, path.into_inner(), input)
            .await?;
        return Ok(HttpResponse::Created().json(ConversationBody::from(&conversation)));
    }
    if body.initial_message.is_some() {
        return Err(DomainError::invalid(
            "initial_message",
            "is sent to an agent server: give sandbox_id too",
        )
        .into());
    }
    let input = NewConversationInput {
        title: body.title,
        selected_repository: body.selected_repository,
        selected_branch: body.selected_branch,
        git_provider: body.git_provider,
        trigger: body.trigger,
        llm_model: body.llm_model,
        visibility: body.visibility,
    };
    let conversation = state
        .conversations
        .create(&caller.0, path.into_inner(), input)
        .await?;
    Ok(HttpResponse::Created().json(ConversationBody::from(&conversation)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    q: Option<String>,
    repository: Option<String>,
    mine: Option<bool>,
    /// Only conversations whose agent last reported this status (`running`, `finished`, …).
    #[param(max_length = 32, pattern = r"^[a-z_]*$")]
    execution_status: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u64>,
    /// `updated` (default): latest activity first; a conversation that changes during a walk
    /// moves, so pages may skip or repeat it. `created`: newest created first, a key that never
    /// changes, so walking every page sees each conversation exactly once.
    #[param(pattern = r"^(updated|created)$")]
    order: Option<String>,
    /// Opaque cursor from the previous page's `next_cursor` (of a list in the same order).
    #[param(pattern = r"^([A-Za-z0-9_-]{32}|[A-Za-z0-9_-]{34})?$")]
    cursor: Option<String>,
}

/// What marks a `created` cursor (an `updated` one has no mark, as before there was a choice).
const CREATED_CURSOR: u8 = b'c';

pub(crate) fn encode_cursor(cursor: ConversationCursor) -> String {
    let mut bytes = match cursor.order {
        ConversationOrder::Updated => Vec::with_capacity(24),
        ConversationOrder::Created => vec![CREATED_CURSOR],
    };
    bytes.extend_from_slice(&cursor.at.timestamp_micros().to_be_bytes());
    bytes.extend_from_slice(cursor.id.as_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn decode_cursor(raw: &str) -> Result<ConversationCursor, DomainError> {
    let invalid = || DomainError::invalid("cursor", "is not a cursor this API returned");
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
    let (order, bytes) = match bytes.split_first() {
        Some((&CREATED_CURSOR, rest)) if bytes.len() == 25 => (ConversationOrder::Created, rest),
        _ => (ConversationOrder::Updated, bytes.as_slice()),
    };
    let (micros, id) = bytes.split_at_checked(8).ok_or_else(invalid)?;
    let micros = i64::from_be_bytes(micros.try_into().map_err(|_| invalid())?);
    // Any well-formed cursor is a point in time; ones outside years 1..=9999 (what every database
    // stores) are clamped.
    let micros = micros.clamp(-62_135_596_800_000_000, 253_402_300_799_999_999);
    Ok(ConversationCursor {
        order,
        at: DateTime::<Utc>::from_timestamp_micros(micros).ok_or_else(invalid)?,
        id: Uuid::from_slice(id).map_err(|_| invalid())?,
    })
}

#[utoipa::path(
    tag = "conversations",
    summary = "Conversations I may read, newest first",
    params(("org_id" = Uuid, Path, description = "The org"), ListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page", body = ConversationPage),
        Unauthenticated, NotVisible, InvalidInput, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/conversations")]
pub(crate) async fn list(
    state: web::Data<AppState>,
    claim: Claim,
    path: web::Path<Uuid>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageQuery::new(query.limit, query.cursor);
    let request = ConversationListQuery {
        q: query.q,
        repository: query.repository,
        mine: query.mine.unwrap_or(false),
        execution_status: query.execution_status,
        order: query
            .order
            .as_deref()
            .map(ConversationOrder::parse)
            .transpose()?
            .unwrap_or_default(),
        after: page.raw_cursor().map(decode_cursor).transpose()?,
        limit: page.limit()?,
        ..ConversationListQuery::default()
    };
    let page = state
        .conversations
        .list(claim.as_claimant(), path.into_inner(), request)
        .await?;
    Ok(HttpResponse::Ok().json(ConversationPage {
        items: page.items.iter().map(ConversationBody::from).collect(),
        next_cursor: page.next.map(encode_cursor),
    }))
}

#[utoipa::path(
    tag = "conversations",
    summary = "One conversation",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The conversation")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The conversation", body = ConversationBody),
        Unauthenticated, NotVisible, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/conversations/{id}")]
pub(crate) async fn get_one(
    state: web::Data<AppState>,
    claim: Claim,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    let conversation = state.conversations.get(claim.as_claimant(), org, id).await?;
    Ok(HttpResponse::Ok().json(ConversationBody::from(&conversation)))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct UpdateBody {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(max_length = 500, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    title: Option<Option<String>>,
    #[schema(value_type = Option<crate::wire_names::VisibilityName>)]
    visibility: Option<Visibility>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(max_length = 255, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    selected_branch: Option<Option<String>>,
    #[schema(value_type = Option<Vec<u32>>, max_items = 1000)]
    pr_number: Option<Vec<i64>>,
}

#[utoipa::path(
    tag = "conversations",
    summary = "Change a conversation (creator or admin+)",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The conversation")),
    request_body = UpdateBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = ConversationBody),
        Unauthenticated, RoleTooLow, NotVisible, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[patch("/api/orgs/{org_id}/conversations/{id}")]
pub(crate) async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<UpdateBody>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    let body = body.into_inner();
    let patch = ConversationPatch {
        title: body.title,
        visibility: body.visibility,
        selected_branch: body.selected_branch,
        pr_number: body.pr_number,
    };
    let conversation = state.conversations.update(&caller.0, org, id, patch).await?;
    Ok(HttpResponse::Ok().json(ConversationBody::from(&conversation)))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct ReassignBody {
    /// The member who takes the conversation over.
    user_id: Uuid,
}

#[utoipa::path(
    tag = "conversations",
    summary = "Hand a conversation to another member (admin+)",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The conversation")),
    request_body = ReassignBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Reassigned", body = ConversationBody),
        Unauthenticated, RoleTooLow, NotVisible, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/orgs/{org_id}/conversations/{id}/reassign")]
pub(crate) async fn reassign(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ReassignBody>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    let conversation = state
        .conversations
        .reassign(&caller.0, org, id, body.user_id)
        .await?;
    Ok(HttpResponse::Ok().json(ConversationBody::from(&conversation)))
}

#[utoipa::path(
    tag = "conversations",
    summary = "Delete a conversation and its events (creator or admin+)",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The conversation")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        Unauthenticated, RoleTooLow, NotVisible, Unavailable
    )
)]
#[delete("/api/orgs/{org_id}/conversations/{id}")]
pub(crate) async fn remove(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    state.agent_runs.delete(&caller.0, org, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    post, path = "/api/orgs/{org_id}/conversations/{id}/events",
    tag = "conversations",
    summary = "Append an event or up to 1000 (creator or admin+)",
    description = "With an `Idempotency-Key` header the batch is appended once: the same key again \
                   (a retry after a timeout or a 503) appends nothing and answers the ids the first \
                   batch got; a key reused for a batch of another size is 409 `idempotency_key_reused`.",
    params(
        ("org_id" = Uuid, Path, description = "The org"),
        ("id" = Uuid, Path, description = "The conversation"),
        ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 visible ASCII characters, unique per conversation")
    ),
    request_body = Object,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The ids given", body = AppendedBody),
        Unauthenticated, RoleTooLow, NotVisible, JsonBodyRefused, InvalidInput, Conflict, Unavailable
    )
)]
pub(crate) async fn append_events(
    state: web::Data<AppState>,
    claim: Claim,
    path: web::Path<(Uuid, Uuid)>,
    request: actix_web::HttpRequest,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    let events = match body.into_inner() {
        Value::Array(events) => events,
        event @ Value::Object(_) => vec![event],
        _ => return Err(DomainError::invalid("body", "must be an event object or an array of them").into()),
    };
    let key = match request.headers().get("idempotency-key") {
        Some(value) => Some(IdempotencyKey::parse(value.to_str().unwrap_or_default())?),
        None => None,
    };
    let range = state
        .conversations
        .append_events_keyed(claim.as_claimant(), org, id, events, key)
        .await?;
    Ok(HttpResponse::Created().json(AppendedBody {
        first_id: range.first_id,
        last_id: range.last_id,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct EventsQuery {
    /// First id to read (default 0).
    #[param(minimum = 0)]
    pub(crate) start_id: Option<i64>,
    /// Events to read, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub(crate) limit: Option<i64>,
}

#[utoipa::path(
    get, path = "/api/orgs/{org_id}/conversations/{id}/events",
    tag = "conversations",
    summary = "Read events by id",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The conversation"), EventsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page", body = EventPageBody),
        Unauthenticated, NotVisible, InvalidInput, Unavailable
    )
)]
pub(crate) async fn read_events(
    state: web::Data<AppState>,
    claim: Claim,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<EventsQuery>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    let page = state
        .conversations
        .read_events(
            claim.as_claimant(),
            org,
            id,
            query.start_id.unwrap_or(0),
            query.limit.unwrap_or(100),
        )
        .await?;
    Ok(HttpResponse::Ok().json(EventPageBody::from(&page)))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct UsageBody {
    #[schema(minimum = 0, maximum = 1_000_000_000_000i64)]
    prompt_tokens: i64,
    #[schema(minimum = 0, maximum = 1_000_000_000_000i64)]
    completion_tokens: i64,
    #[schema(minimum = 0, maximum = 1e9)]
    cost: f64,
}

#[utoipa::path(
    tag = "conversations",
    summary = "Add token and cost usage (creator or admin+)",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The conversation")),
    request_body = UsageBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Totals", body = UsageTotalsBody),
        Unauthenticated, RoleTooLow, NotVisible, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/orgs/{org_id}/conversations/{id}/usage")]
pub(crate) async fn usage(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<UsageBody>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    let report = UsageReport {
        prompt_tokens: body.prompt_tokens,
        completion_tokens: body.completion_tokens,
        cost: cost_to_micros(body.cost)?,
    };
    let conversation = state.conversations.add_usage(&caller.0, org, id, report).await?;
    Ok(HttpResponse::Ok().json(UsageTotalsBody {
        prompt_tokens: conversation.prompt_tokens,
        completion_tokens: conversation.completion_tokens,
        total_tokens: conversation.total_tokens,
        accumulated_cost: conversation.accumulated_cost as f64 / 1_000_000.0,
    }))
}

/// The ids a batch received.
#[derive(Serialize, ToSchema)]
pub(crate) struct AppendedBody {
    first_id: i64,
    last_id: i64,
}

/// A page of events.
#[derive(Serialize, ToSchema)]
pub(crate) struct EventPageBody<'a> {
    pub(crate) items: Vec<EventBody<'a>>,
    /// Where the next page starts; `null` at the current end.
    pub(crate) next_start_id: Option<i64>,
    /// Runs of ids in this window whose stored events are gone (left out of `items`); absent when
    /// none are.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) missing: Vec<MissingRangeBody>,
}

/// A run of event ids that cannot be served.
#[derive(Serialize, ToSchema)]
pub(crate) struct MissingRangeBody {
    first_id: i64,
    last_id: i64,
}

impl<'a> From<&'a tenantry_domain::services::conversations::EventPage> for EventPageBody<'a> {
    fn from(page: &'a tenantry_domain::services::conversations::EventPage) -> Self {
        Self {
            items: page.items.iter().map(EventBody::from).collect(),
            next_start_id: page.next_start_id,
            missing: page
                .missing
                .iter()
                .map(|run| MissingRangeBody {
                    first_id: run.first_id,
                    last_id: run.last_id,
                })
                .collect(),
        }
    }
}

/// Usage totals after a report.
#[derive(Serialize, ToSchema)]
pub(crate) struct UsageTotalsBody {
    prompt_tokens: i64,
    completion_tokens: i64,
    total_tokens: i64,
    accumulated_cost: f64,
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct MessageBody {
    #[schema(min_length = 1, max_length = 100000)]
    text: String,
}

#[utoipa::path(
    tag = "conversations",
    summary = "Send a user message and run the agent (creator or admin+)",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The conversation")),
    request_body = MessageBody,
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Sent; the agent's answer arrives as events"),
        (status = 409, description = "It does not run on an agent server Tenantry drives (`no_agent_server`)", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "The agent server is unreachable, failed or refused", body = Problem, content_type = "application/problem+json"),
        Unauthenticated, RoleTooLow, NotVisible, JsonBodyRefused, InvalidInput, Unavailable, BudgetUsedUp
    )
)]
#[post("/api/orgs/{org_id}/conversations/{id}/messages")]
pub(crate) async fn message(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<MessageBody>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    state.agent_runs.message(&caller.0, org, id, &body.text).await?;
    Ok(HttpResponse::Accepted().finish())
}

#[utoipa::path(
    tag = "conversations",
    summary = "Pause the agent (creator or admin+)",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The conversation")),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Paused"),
        (status = 409, description = "It does not run on an agent server Tenantry drives (`no_agent_server`)", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "The agent server is unreachable, failed or refused", body = Problem, content_type = "application/problem+json"),
        Unauthenticated, RoleTooLow, NotVisible, Unavailable
    )
)]
#[post("/api/orgs/{org_id}/conversations/{id}/pause")]
pub(crate) async fn pause(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    state.agent_runs.pause(&caller.0, org, id).await?;
    Ok(HttpResponse::Accepted().finish())
}

#[utoipa::path(
    tag = "conversations",
    summary = "Run the agent again after a pause (creator or admin+)",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The conversation")),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Running"),
        (status = 409, description = "It does not run on an agent server Tenantry drives (`no_agent_server`)", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "The agent server is unreachable, failed or refused", body = Problem, content_type = "application/problem+json"),
        Unauthenticated, RoleTooLow, NotVisible, Unavailable, BudgetUsedUp
    )
)]
#[post("/api/orgs/{org_id}/conversations/{id}/resume")]
pub(crate) async fn resume(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    state.agent_runs.resume(&caller.0, org, id).await?;
    Ok(HttpResponse::Accepted().finish())
}

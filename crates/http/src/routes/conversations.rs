//! Conversations, their events and their usage.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use tenantry_domain::{
    DomainError, Visibility,
    ports::{ConversationCursor, ConversationPatch, UsageReport},
    services::conversations::{ConversationListQuery, NewConversationInput, cost_to_micros},
};
use uuid::Uuid;

use crate::{
    ApiError, AppState,
    auth::Caller,
    dto::{ConversationBody, EventBody, Page, double_option},
    extract_config::json_config,
    paging::PageQuery,
};

/// Registers the routes; event appends get their own (larger) body limit.
pub(crate) fn configure(events_body_limit: usize) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.service(create)
            .service(list)
            .service(get_one)
            .service(update)
            .service(remove)
            .service(usage)
            .service(
                web::resource("/api/orgs/{org_id}/conversations/{id}/events")
                    .app_data(json_config(events_body_limit))
                    .route(web::post().to(append_events))
                    .route(web::get().to(read_events)),
            );
    }
}

#[derive(Deserialize)]
struct CreateBody {
    title: Option<String>,
    selected_repository: Option<String>,
    selected_branch: Option<String>,
    git_provider: Option<String>,
    trigger: Option<String>,
    llm_model: Option<String>,
    visibility: Option<Visibility>,
}

#[post("/api/orgs/{org_id}/conversations")]
async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<CreateBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
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
        .create(&caller.0.user, path.into_inner(), input)
        .await?;
    Ok(HttpResponse::Created().json(ConversationBody::from(&conversation)))
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    repository: Option<String>,
    mine: Option<bool>,
    limit: Option<u64>,
    cursor: Option<String>,
}

fn encode_cursor(cursor: ConversationCursor) -> String {
    let mut bytes = cursor.last_updated_at.timestamp_micros().to_be_bytes().to_vec();
    bytes.extend_from_slice(cursor.id.as_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

fn decode_cursor(raw: &str) -> Result<ConversationCursor, DomainError> {
    let invalid = || DomainError::invalid("cursor", "is not a cursor this API returned");
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
    let (micros, id) = bytes.split_at_checked(8).ok_or_else(invalid)?;
    let micros = i64::from_be_bytes(micros.try_into().map_err(|_| invalid())?);
    Ok(ConversationCursor {
        last_updated_at: DateTime::<Utc>::from_timestamp_micros(micros).ok_or_else(invalid)?,
        id: Uuid::from_slice(id).map_err(|_| invalid())?,
    })
}

#[get("/api/orgs/{org_id}/conversations")]
async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageQuery::new(query.limit, query.cursor);
    let request = ConversationListQuery {
        q: query.q,
        repository: query.repository,
        mine: query.mine.unwrap_or(false),
        after: page.raw_cursor().map(decode_cursor).transpose()?,
        limit: page.limit()?,
    };
    let page = state
        .conversations
        .list(&caller.0.user, path.into_inner(), request)
        .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: page.items.iter().map(ConversationBody::from).collect(),
        next_cursor: page.next.map(encode_cursor),
    }))
}

#[get("/api/orgs/{org_id}/conversations/{id}")]
async fn get_one(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    let conversation = state.conversations.get(&caller.0.user, org, id).await?;
    Ok(HttpResponse::Ok().json(ConversationBody::from(&conversation)))
}

#[derive(Deserialize)]
struct UpdateBody {
    #[serde(default, deserialize_with = "double_option")]
    title: Option<Option<String>>,
    visibility: Option<Visibility>,
    #[serde(default, deserialize_with = "double_option")]
    selected_branch: Option<Option<String>>,
    pr_number: Option<Vec<i64>>,
}

#[patch("/api/orgs/{org_id}/conversations/{id}")]
async fn update(
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
    let conversation = state.conversations.update(&caller.0.user, org, id, patch).await?;
    Ok(HttpResponse::Ok().json(ConversationBody::from(&conversation)))
}

#[delete("/api/orgs/{org_id}/conversations/{id}")]
async fn remove(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    state.conversations.delete(&caller.0.user, org, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn append_events(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    let events = match body.into_inner() {
        Value::Array(events) => events,
        event @ Value::Object(_) => vec![event],
        _ => return Err(DomainError::invalid("body", "must be an event object or an array of them").into()),
    };
    let range = state
        .conversations
        .append_events(&caller.0.user, org, id, events)
        .await?;
    Ok(HttpResponse::Created().json(json!({ "first_id": range.first_id, "last_id": range.last_id })))
}

#[derive(Deserialize)]
struct EventsQuery {
    start_id: Option<i64>,
    limit: Option<i64>,
}

async fn read_events(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<EventsQuery>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    let page = state
        .conversations
        .read_events(
            &caller.0.user,
            org,
            id,
            query.start_id.unwrap_or(0),
            query.limit.unwrap_or(100),
        )
        .await?;
    let items: Vec<EventBody<'_>> = page.items.iter().map(EventBody::from).collect();
    Ok(HttpResponse::Ok().json(json!({ "items": items, "next_start_id": page.next_start_id })))
}

#[derive(Deserialize)]
struct UsageBody {
    prompt_tokens: i64,
    completion_tokens: i64,
    cost: f64,
}

#[post("/api/orgs/{org_id}/conversations/{id}/usage")]
async fn usage(
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
    let conversation = state
        .conversations
        .add_usage(&caller.0.user, org, id, report)
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "prompt_tokens": conversation.prompt_tokens,
        "completion_tokens": conversation.completion_tokens,
        "total_tokens": conversation.total_tokens,
        "accumulated_cost": conversation.accumulated_cost as f64 / 1_000_000.0,
    })))
}

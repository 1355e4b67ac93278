//! `/api/v1/conversation/{id}/events`: a conversation's events as the agent server sent them,
//! searched by kind and time, counted, or read by their own ids.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tenantry_domain::{
    DomainError, event_search::EventCriteria, ports::TimeRange, services::conversations::EventSearch,
};

use super::{app_conversations::conversation_id, query, request_org::request_org};
use crate::{ApiError, AppState, auth::Caller};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/{id}/events/search", web::get().to(search))
        .route("/{id}/events/count", web::get().to(count))
        .route("/{id}/events", web::get().to(batch));
}

fn instant(raw: &str, name: &'static str) -> Result<Option<DateTime<Utc>>, DomainError> {
    query::single(raw, name)
        .map(|text| {
            DateTime::parse_from_rfc3339(&text)
                .map(|at| at.with_timezone(&Utc))
                .or_else(|_| {
                    chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.f")
                        .map(|at| at.and_utc())
                })
                .map_err(|_| DomainError::invalid(name, "must be an ISO 8601 date and time"))
        })
        .transpose()
}

fn criteria(raw: &str) -> Result<EventCriteria, DomainError> {
    Ok(EventCriteria {
        kind: query::single(raw, "kind__eq").filter(|kind| !kind.is_empty()),
        during: TimeRange {
            from: instant(raw, "timestamp__gte")?,
            before: instant(raw, "timestamp__lt")?,
        },
    })
}

async fn search(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let id = conversation_id(&path)?;
    let raw = req.query_string();
    let newest_first = match query::single(raw, "sort_order").as_deref() {
        None | Some("TIMESTAMP") => false,
        Some("TIMESTAMP_DESC") => true,
        Some(_) => {
            return Err(DomainError::invalid("sort_order", "must be TIMESTAMP or TIMESTAMP_DESC").into());
        }
    };
    let page = query::Page::of(raw)?;
    let found = state
        .conversations
        .search_events(
            &caller.0,
            org,
            id,
            &EventSearch {
                criteria: criteria(raw)?,
                newest_first,
                from: i64::try_from(page.offset).unwrap_or(i64::MAX),
                limit: page.limit,
            },
        )
        .await?;
    let items: Vec<Value> = found.items.into_iter().map(|stored| stored.event).collect();
    Ok(HttpResponse::Ok()
        .json(json!({ "items": items, "next_page_id": found.next.map(|next| next.to_string()) })))
}

async fn count(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let id = conversation_id(&path)?;
    let total = state
        .conversations
        .count_events(&caller.0, org, id, &criteria(req.query_string())?)
        .await?;
    Ok(HttpResponse::Ok().json(total))
}

async fn batch(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let id = conversation_id(&path)?;
    let wanted = query::repeated(req.query_string(), "id")?;
    let found = state
        .conversations
        .events_by_own_id(&caller.0, org, id, &wanted)
        .await?;
    let answers: Vec<Value> = found
        .into_iter()
        .map(|event| event.map_or(Value::Null, |stored| stored.event))
        .collect();
    Ok(HttpResponse::Ok().json(answers))
}

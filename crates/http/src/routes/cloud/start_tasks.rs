//! Starting conversations as OpenHands clients do: `POST /app-conversations` answers with a start
//! task (`AppConversationStartTask`) that goes on in the background; the task is read back by id,
//! searched and counted under `/app-conversations/start-tasks`.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tenantry_domain::{
    DomainError,
    ports::StartTaskFilter,
    start_task::{StartRequest, StartTask},
};
use uuid::Uuid;

use super::{
    app_conversations::{conversation_id, hex},
    query,
    request_org::request_org,
};
use crate::{ApiError, AppState, auth::Caller, wire::rfc3339_text};

/// Registered before `/{id}` routes of the same scope.
pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("", web::post().to(start))
        .route("/start-tasks/search", web::get().to(search))
        .route("/start-tasks/count", web::get().to(count))
        .route("/start-tasks", web::get().to(batch));
}

fn task_body(task: StartTask, agent_server_url: Option<String>) -> Value {
    json!({
        "id": hex(task.id),
        "created_by_user_id": task.created_by.to_string(),
        "status": task.status.name(),
        "detail": task.detail,
        "app_conversation_id": task.conversation_id.map(hex),
        "sandbox_id": task.sandbox_id.map(|sandbox| sandbox.to_string()),
        "agent_server_url": agent_server_url,
        "request": task.request,
        "created_at": rfc3339_text(&task.created_at),
        "updated_at": rfc3339_text(&task.updated_at),
    })
}

/// The text of OpenHands' `initial_message` (`{role, content: [{type: "text", text}], run}`), if
/// there is one, and whether the agent runs on it (`run`, false unless given, as in OpenHands).
fn initial_message(body: &Value) -> (Option<String>, bool) {
    let message = &body["initial_message"];
    if message.is_null() {
        return (None, false);
    }
    let parts: Vec<&str> = message["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|part| part["type"] == "text")
        .filter_map(|part| part["text"].as_str())
        .collect();
    let run = message.get("run").and_then(Value::as_bool).unwrap_or(false);
    (Some(parts.join("\n")), run)
}

fn text(body: &Value, field: &str) -> Option<String> {
    body.get(field).and_then(Value::as_str).map(str::to_owned)
}

fn start_request(body: &Value) -> Result<StartRequest, DomainError> {
    let message = initial_message(body);
    let sandbox_id = text(body, "sandbox_id")
        .map(|raw| {
            Uuid::parse_str(raw.trim())
                .map_err(|_| DomainError::invalid("sandbox_id", "must be a sandbox id"))
        })
        .transpose()?;
    Ok(StartRequest {
        sandbox_id,
        initial_message: message.0,
        run: message.1,
        title: text(body, "title"),
        selected_repository: text(body, "selected_repository"),
        selected_branch: text(body, "selected_branch"),
        public: body.get("public").and_then(Value::as_bool).unwrap_or(false),
    })
}

/// The request as echoed with the task: without the `secrets` it may carry.
fn echoed(body: &Value) -> Value {
    let mut echo = body.clone();
    if let Some(object) = echo.as_object_mut()
        && object.get("secrets").is_some_and(|secrets| !secrets.is_null())
    {
        object.insert("secrets".into(), json!("**********"));
    }
    echo
}

async fn start(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let body = body.into_inner();
    if !body.is_object() {
        return Err(DomainError::invalid("body", "must be a JSON object").into());
    }
    let task = state
        .conversation_starts
        .start(&caller.0, org, start_request(&body)?, echoed(&body))
        .await?;
    Ok(HttpResponse::Ok().json(task_body(task, None)))
}

async fn agent_url(state: &AppState, caller: &Caller, task: &StartTask) -> Result<Option<String>, ApiError> {
    let Some(sandbox) = task.sandbox_id else {
        return Ok(None);
    };
    let views = state
        .sandboxes
        .views_by_id(&caller.0, task.org_id, &[sandbox])
        .await?;
    Ok(views
        .into_iter()
        .flatten()
        .next()
        .and_then(|view| view.exposed_urls.into_iter().next())
        .map(|exposed| exposed.url))
}

async fn batch(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let asked = query::repeated(req.query_string(), "ids")?;
    let ids: Vec<Uuid> = asked
        .iter()
        .map(|raw| {
            Uuid::parse_str(raw.trim()).map_err(|_| DomainError::invalid("ids", "must be start task ids"))
        })
        .collect::<Result<_, _>>()?;
    let mut answers = Vec::with_capacity(ids.len());
    for task in state.conversation_starts.tasks(&caller.0, org, &ids).await? {
        answers.push(match task {
            Some(task) => {
                let url = agent_url(&state, &caller, &task).await?;
                task_body(task, url)
            }
            None => Value::Null,
        });
    }
    Ok(HttpResponse::Ok().json(answers))
}

fn filter(raw: &str) -> Result<StartTaskFilter, DomainError> {
    let conversation = query::single(raw, "conversation_id__eq")
        .map(|id| {
            conversation_id(&id)
                .map_err(|_| DomainError::invalid("conversation_id__eq", "must be a conversation id"))
        })
        .transpose()?;
    let created_from = query::single(raw, "created_at__gte")
        .map(|at| {
            DateTime::parse_from_rfc3339(&at)
                .map(|at| at.with_timezone(&Utc))
                .map_err(|_| DomainError::invalid("created_at__gte", "must be an RFC 3339 date and time"))
        })
        .transpose()?;
    // The org and the creator are the request's, set by the service.
    Ok(StartTaskFilter {
        org: Uuid::nil(),
        creator: Uuid::nil(),
        conversation,
        created_from,
    })
}

async fn search(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let raw = req.query_string();
    let oldest_first = match query::single(raw, "sort_order").as_deref() {
        None | Some("CREATED_AT_DESC") | Some("UPDATED_AT_DESC") => false,
        Some("CREATED_AT") | Some("UPDATED_AT") => true,
        Some(_) => {
            return Err(DomainError::invalid(
                "sort_order",
                "must be CREATED_AT, CREATED_AT_DESC, UPDATED_AT or UPDATED_AT_DESC",
            )
            .into());
        }
    };
    let page = query::Page::of(raw)?;
    let (offset, limit) = (page.offset as u64, page.limit as u64);
    let mut found = state
        .conversation_starts
        .search(&caller.0, org, filter(raw)?, oldest_first, offset, limit + 1)
        .await?;
    let more = found.len() as u64 > limit;
    found.truncate(page.limit);
    let next = more.then(|| (offset + limit).to_string());
    let mut items = Vec::with_capacity(found.len());
    for task in found {
        let url = agent_url(&state, &caller, &task).await?;
        items.push(task_body(task, url));
    }
    Ok(HttpResponse::Ok().json(json!({ "items": items, "next_page_id": next })))
}

async fn count(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let total = state
        .conversation_starts
        .count(&caller.0, org, filter(req.query_string())?)
        .await?;
    Ok(HttpResponse::Ok().json(total))
}

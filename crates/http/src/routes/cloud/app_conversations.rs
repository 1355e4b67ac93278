//! `/api/v1/app-conversations`: Tenantry's conversations as OpenHands' `AppConversation`, with
//! the state of the sandbox they run on; search, count, batch reads, title and visibility changes,
//! deletion, and messages to the agent. Visibility follows Tenantry's rules: a member reads their
//! own and the org-visible ones, admins every one. OpenHands' `public` is Tenantry's org
//! visibility.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use tenantry_domain::{
    Conversation, ConversationId, DomainError, OrgId, Visibility,
    ports::{ConversationPatch, TimeRange},
    services::conversations::ConversationListQuery,
};
use uuid::Uuid;

use super::{query, request_org::request_org, success};
use crate::{
    ApiError, AppState,
    auth::Caller,
    routes::conversations::{decode_cursor, encode_cursor},
    wire::rfc3339_text,
};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/search", web::get().to(search))
        .route("/count", web::get().to(count))
        .route("", web::get().to(batch))
        .route("/{id}", web::patch().to(update))
        .route("/{id}", web::delete().to(delete))
        .route("/{id}/send-message", web::post().to(send_message));
}

/// A conversation id as OpenHands writes it (32 hex digits) or dashed; anything else names
/// nothing.
pub(super) fn conversation_id(raw: &str) -> Result<ConversationId, DomainError> {
    Uuid::parse_str(raw.trim()).map_err(|_| DomainError::NotFound)
}

/// An id as OpenHands writes it: 32 hex digits.
pub(super) fn hex(id: Uuid) -> String {
    id.simple().to_string()
}

/// The conversation as `AppConversation`, with what the caller may know of its sandbox.
pub(super) async fn app_conversation(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    conversation: Conversation,
) -> Result<Value, ApiError> {
    let mut sandbox_status = "MISSING";
    let (mut conversation_url, mut session_api_key) = (Value::Null, Value::Null);
    if let Some(sandbox) = conversation.sandbox_id {
        let views = state.sandboxes.views_by_id(&caller.0, org, &[sandbox]).await?;
        if let Some(view) = views.into_iter().flatten().next() {
            sandbox_status = view
                .sandbox
                .runtime
                .as_ref()
                .map_or("RUNNING", |record| record.status.name());
            if let Some(agent) = view.exposed_urls.first() {
                conversation_url = json!(format!(
                    "{}/api/conversations/{}",
                    agent.url,
                    hex(conversation.id)
                ));
            }
            if let Some(key) = state.sandboxes.session_key_for(&caller.0, &view.sandbox).await? {
                session_api_key = json!(key.expose());
            }
        }
    }
    let cost = conversation.accumulated_cost as f64 / 1_000_000.0;
    Ok(json!({
        "id": hex(conversation.id),
        "created_by_user_id": conversation.created_by.to_string(),
        "sandbox_id": conversation.sandbox_id.map(|sandbox| sandbox.to_string()).unwrap_or_default(),
        "selected_repository": conversation.selected_repository,
        "selected_branch": conversation.selected_branch,
        "git_provider": conversation.git_provider,
        "title": conversation.title,
        "trigger": conversation.trigger,
        "pr_number": conversation.pr_number,
        "llm_model": conversation.llm_model,
        "agent_kind": "openhands",
        "metrics": {
            "model_name": conversation.llm_model,
            "accumulated_cost": cost,
            "max_budget_per_task": null,
            "accumulated_token_usage": {
                "model": conversation.llm_model,
                "prompt_tokens": conversation.prompt_tokens,
                "completion_tokens": conversation.completion_tokens,
            },
        },
        "parent_conversation_id": null,
        "sub_conversation_ids": [],
        "public": conversation.visibility == Visibility::Org,
        "tags": {},
        "created_at": rfc3339_text(&conversation.created_at),
        "updated_at": rfc3339_text(&conversation.last_updated_at),
        "sandbox_status": sandbox_status,
        "execution_status": conversation.execution_status,
        "conversation_url": conversation_url,
        "session_api_key": session_api_key,
    }))
}

fn instant(query: &str, name: &'static str) -> Result<Option<DateTime<Utc>>, DomainError> {
    query::single(query, name)
        .map(|raw| {
            DateTime::parse_from_rfc3339(&raw)
                .map(|at| at.with_timezone(&Utc))
                .map_err(|_| DomainError::invalid(name, "must be an RFC 3339 date and time"))
        })
        .transpose()
}

/// The filters search and count share.
fn filters(raw: &str) -> Result<ConversationListQuery, DomainError> {
    let sandbox = query::single(raw, "sandbox_id__eq")
        .map(|id| {
            Uuid::parse_str(id.trim())
                .map_err(|_| DomainError::invalid("sandbox_id__eq", "must be a sandbox id"))
        })
        .transpose()?;
    Ok(ConversationListQuery {
        q: query::single(raw, "title__contains"),
        sandbox,
        created: TimeRange {
            from: instant(raw, "created_at__gte")?,
            before: instant(raw, "created_at__lt")?,
        },
        updated: TimeRange {
            from: instant(raw, "updated_at__gte")?,
            before: instant(raw, "updated_at__lt")?,
        },
        ..ConversationListQuery::default()
    })
}

async fn search(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let raw = req.query_string();
    let limit = query::limit(raw)? as u64;
    let request = ConversationListQuery {
        after: query::single(raw, "page_id")
            .filter(|page| !page.is_empty())
            .map(|page| {
                decode_cursor(&page)
                    .map_err(|_| DomainError::invalid("page_id", "must be a page id this server returned"))
            })
            .transpose()?,
        limit,
        ..filters(raw)?
    };
    let page = state.conversations.list(&caller.0, org, request).await?;
    let mut items = Vec::with_capacity(page.items.len());
    for conversation in page.items {
        items.push(app_conversation(&state, &caller, org, conversation).await?);
    }
    Ok(HttpResponse::Ok().json(json!({ "items": items, "next_page_id": page.next.map(encode_cursor) })))
}

async fn count(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let mut request = ConversationListQuery {
        limit: 1000,
        ..filters(req.query_string())?
    };
    let mut total = 0usize;
    loop {
        let page = state.conversations.list(&caller.0, org, request.clone()).await?;
        total += page.items.len();
        match page.next {
            Some(next) => request.after = Some(next),
            None => return Ok(HttpResponse::Ok().json(total)),
        }
    }
}

async fn batch(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let asked = query::repeated(req.query_string(), "ids")?;
    let mut answers = Vec::with_capacity(asked.len());
    for raw in asked {
        let found = match conversation_id(&raw) {
            Ok(id) => match state.conversations.get(&caller.0, org, id).await {
                Ok(conversation) => Some(conversation),
                Err(DomainError::NotFound | DomainError::Forbidden) => None,
                Err(other) => return Err(other.into()),
            },
            Err(_) => None,
        };
        answers.push(match found {
            Some(conversation) => app_conversation(&state, &caller, org, conversation).await?,
            None => Value::Null,
        });
    }
    Ok(HttpResponse::Ok().json(answers))
}

/// What `PATCH /app-conversations/{id}` may change.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AppConversationUpdate {
    title: Option<String>,
    public: Option<bool>,
    selected_branch: Option<String>,
    #[serde(default)]
    selected_repository: Option<Value>,
    #[serde(default)]
    git_provider: Option<Value>,
}

async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<AppConversationUpdate>,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let id = conversation_id(&path)?;
    let body = body.into_inner();
    if body.selected_repository.is_some() || body.git_provider.is_some() {
        return Err(DomainError::invalid(
            "selected_repository",
            "a conversation's repository is set when it starts",
        )
        .into());
    }
    let patch = ConversationPatch {
        title: body.title.map(Some),
        visibility: body.public.map(|public| {
            if public {
                Visibility::Org
            } else {
                Visibility::Private
            }
        }),
        selected_branch: body.selected_branch.map(Some),
        pr_number: None,
    };
    let updated = state.conversations.update(&caller.0, org, id, patch).await?;
    Ok(HttpResponse::Ok().json(app_conversation(&state, &caller, org, updated).await?))
}

async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    state
        .agent_runs
        .delete(&caller.0, org, conversation_id(&path)?)
        .await?;
    Ok(success())
}

/// OpenHands' `SendMessageRequest`: a user message, run by default.
#[derive(Deserialize)]
struct SendMessage {
    #[serde(default = "user_role")]
    role: String,
    content: Vec<Value>,
    #[serde(default = "run_by_default")]
    run: bool,
}

fn user_role() -> String {
    "user".into()
}

fn run_by_default() -> bool {
    true
}

async fn send_message(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<SendMessage>,
) -> Result<HttpResponse, ApiError> {
    let org = request_org(&req, &caller.0)?;
    let id = conversation_id(&path)?;
    let body = body.into_inner();
    if body.role != "user" {
        return Err(DomainError::invalid("role", "only user messages are sent").into());
    }
    let text: Vec<&str> = body
        .content
        .iter()
        .filter(|part| part["type"] == "text")
        .filter_map(|part| part["text"].as_str())
        .collect();
    if text.is_empty() {
        return Err(DomainError::invalid("content", "needs at least one text part").into());
    }
    if !body.run {
        return Err(DomainError::invalid("run", "messages sent here run the agent").into());
    }
    state
        .agent_runs
        .message(&caller.0, org, id, &text.join("\n"))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "success": true, "sandbox_status": "RUNNING", "message": null })))
}

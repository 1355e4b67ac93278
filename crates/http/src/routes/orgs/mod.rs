//! Orgs: list, create, read, update, delete, switch, transfer, export; the audit log; roles.

pub(crate) mod bodies;
mod budget;
mod domains;
mod export;
mod sign_in_policy;

pub(crate) use bodies::*;
pub(crate) use budget::*;
pub(crate) use domains::*;
pub(crate) use export::*;
pub(crate) use sign_in_policy::*;

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use tenantry_domain::{
    AuditAction, DomainError, Role,
    ports::AuditFilter,
    services::orgs::{NewOrgInput, OrgPatchInput},
};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::problem_responses::{
    Conflict, InvalidInput, JsonBodyRefused, NotVisible, RoleTooLow, Unauthenticated, Unavailable,
};
use crate::{
    ApiError, AppState,
    auth::Caller,
    paging::{PageQuery, next_id_cursor},
    routes::auth::bodies::MeBody,
    wire::double_option,
};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_orgs)
        .service(create_org)
        .service(get_org)
        .service(update_org)
        .service(delete_org)
        .service(switch_org)
        .service(transfer_org)
        .service(audit_log)
        .service(export_org)
        .service(get_sso)
        .service(put_sso)
        .service(delete_sso)
        .service(list_domains)
        .service(add_domain)
        .service(verify_domain)
        .service(delete_domain)
        .service(get_budget)
        .service(put_budget)
        .service(org_usage)
        .service(get_policy)
        .service(put_policy)
        .service(list_roles);
}

#[utoipa::path(
    tag = "orgs",
    summary = "My orgs with my role",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Orgs", body = OrgList),
        Unauthenticated, Unavailable
    )
)]
#[get("/api/orgs")]
pub(crate) async fn list_orgs(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    list_orgs_response(&state, &caller).await
}

pub(crate) async fn list_orgs_response(state: &AppState, caller: &Caller) -> Result<HttpResponse, ApiError> {
    let orgs = state.orgs.list_mine(&caller.0).await?;
    Ok(HttpResponse::Ok().json(OrgList {
        items: orgs.iter().map(OrgSummaryBody::from).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct CreateOrgBody {
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    name: String,
    #[schema(max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    contact_name: Option<String>,
    #[schema(max_length = 254)]
    contact_email: Option<String>,
}

#[utoipa::path(
    tag = "orgs",
    summary = "Create a shared org (caller becomes owner)",
    request_body = CreateOrgBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = OrgBody),
        Unauthenticated, RoleTooLow, Conflict, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/orgs")]
pub(crate) async fn create_org(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<CreateOrgBody>,
) -> Result<HttpResponse, ApiError> {
    create_org_response(&state, &caller, body.into_inner()).await
}

pub(crate) async fn create_org_response(
    state: &AppState,
    caller: &Caller,
    body: CreateOrgBody,
) -> Result<HttpResponse, ApiError> {
    let membership = state
        .orgs
        .create(
            &caller.0,
            NewOrgInput {
                name: body.name,
                contact_name: body.contact_name,
                contact_email: body.contact_email,
            },
        )
        .await?;
    Ok(HttpResponse::Created().json(OrgBody::from(&membership)))
}

#[utoipa::path(
    tag = "orgs",
    summary = "An org I am a member of",
    params(("org_id" = Uuid, Path, description = "The org")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The org", body = OrgBody),
        Unauthenticated, NotVisible, Unavailable
    )
)]
#[get("/api/orgs/{org_id}")]
pub(crate) async fn get_org(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    get_org_response(&state, &caller, path.into_inner()).await
}

pub(crate) async fn get_org_response(
    state: &AppState,
    caller: &Caller,
    org: Uuid,
) -> Result<HttpResponse, ApiError> {
    let membership = state.orgs.get(&caller.0, org).await?;
    Ok(HttpResponse::Ok().json(OrgBody::from(&membership)))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct UpdateOrgBody {
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    contact_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(max_length = 254)]
    contact_email: Option<Option<String>>,
}

#[utoipa::path(
    tag = "orgs",
    summary = "Rename or change contact details (admin+)",
    params(("org_id" = Uuid, Path, description = "The org")),
    request_body = UpdateOrgBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = OrgBody),
        Unauthenticated, RoleTooLow, NotVisible, Conflict, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[patch("/api/orgs/{org_id}")]
pub(crate) async fn update_org(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<serde_json::Map<String, serde_json::Value>>,
) -> Result<HttpResponse, ApiError> {
    let body: UpdateOrgBody = crate::wire::from_object(body.into_inner())?;
    let input = OrgPatchInput {
        name: body.name,
        contact_name: body.contact_name,
        contact_email: body.contact_email,
    };
    let membership = state.orgs.update(&caller.0, path.into_inner(), input).await?;
    Ok(HttpResponse::Ok().json(OrgBody::from(&membership)))
}

#[utoipa::path(
    tag = "orgs",
    summary = "Delete a shared org and everything in it (owner)",
    params(("org_id" = Uuid, Path, description = "The org")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        Unauthenticated, RoleTooLow, NotVisible, Conflict, Unavailable
    )
)]
#[delete("/api/orgs/{org_id}")]
pub(crate) async fn delete_org(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state.orgs.delete(&caller.0, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    tag = "orgs",
    summary = "Make it my current org",
    params(("org_id" = Uuid, Path, description = "The org")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Me", body = MeBody),
        Unauthenticated, NotVisible, Unavailable
    )
)]
#[post("/api/orgs/{org_id}/switch")]
pub(crate) async fn switch_org(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let org = path.into_inner();
    state.orgs.switch(&caller.0, org).await?;
    let mut me = MeBody::from(&caller.0.user);
    me.current_org_id = Some(org);
    Ok(HttpResponse::Ok().json(me))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct TransferBody {
    user_id: Uuid,
}

#[utoipa::path(
    tag = "orgs",
    summary = "Transfer ownership (owner)",
    params(("org_id" = Uuid, Path, description = "The org")),
    request_body = TransferBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The org as the caller now sees it", body = OrgBody),
        Unauthenticated, RoleTooLow, NotVisible, Conflict, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/orgs/{org_id}/transfer")]
pub(crate) async fn transfer_org(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<TransferBody>,
) -> Result<HttpResponse, ApiError> {
    let membership = state
        .orgs
        .transfer(&caller.0, path.into_inner(), body.user_id)
        .await?;
    Ok(HttpResponse::Ok().json(OrgBody::from(&membership)))
}

/// Which audit entries to list: every condition given must hold.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AuditQuery {
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    #[param(pattern = r"^([A-Za-z0-9_-]{22})?$")]
    cursor: Option<String>,
    /// Only this action (`member.role_changed`, …).
    #[param(pattern = r"^[a-z_]+\.[a-z_]+$")]
    action: Option<String>,
    /// Only entries caused by this user.
    actor_id: Option<Uuid>,
    /// Only entries at or after this time (RFC 3339).
    since: Option<DateTime<Utc>>,
    /// Only entries before this time (RFC 3339).
    until: Option<DateTime<Utc>>,
}

impl AuditQuery {
    fn filter(&self, page: &PageQuery) -> Result<AuditFilter, DomainError> {
        let action = match self.action.as_deref() {
            Some(name) => Some(
                AuditAction::parse(name)
                    .ok_or_else(|| DomainError::invalid("action", "is not an audit action"))?,
            ),
            None => None,
        };
        Ok(AuditFilter {
            before: page.after_id()?,
            action,
            actor: self.actor_id,
            since: self.since,
            until: self.until,
        })
    }
}

#[utoipa::path(
    tag = "orgs",
    summary = "Audit log, newest first (admin+), filtered by action, actor and time",
    params(("org_id" = Uuid, Path, description = "The org"), AuditQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page", body = AuditPage),
        Unauthenticated, RoleTooLow, NotVisible, InvalidInput, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/audit-log")]
pub(crate) async fn audit_log(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = PageQuery::new(query.limit, query.cursor.clone());
    let limit = page.limit()?;
    let filter = query.filter(&page)?;
    let entries = state
        .orgs
        .search_audit_log(&caller.0, path.into_inner(), &filter, limit + 1)
        .await?;
    let next_cursor = next_id_cursor(&entries, limit, |entry| entry.id);
    Ok(HttpResponse::Ok().json(AuditPage {
        items: entries
            .iter()
            .take(limit as usize)
            .map(AuditEntryBody::from)
            .collect(),
        next_cursor,
    }))
}

#[utoipa::path(
    tag = "orgs",
    summary = "Roles, ranks and permissions",
    security(()),
    responses(
        (status = 200, description = "Roles", body = RoleList),
        Unauthenticated, Unavailable
    )
)]
#[get("/api/roles")]
pub(crate) async fn list_roles() -> HttpResponse {
    HttpResponse::Ok().json(RoleList {
        items: Role::ALL.into_iter().map(RoleInfoBody::from).collect(),
    })
}

//! The operator API (`/api/admin/…`): accounts, orgs and spending across the install, for
//! superadmins only.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tenantry_domain::{
    User,
    billing::micros_to_units as units,
    ports::{OrgSearch, UserSearch},
    services::OrgAtAGlance,
};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::problem_responses::{
    Conflict, InvalidInput, NotVisible, RoleTooLow, Unauthenticated, Unavailable,
};
use crate::{
    ApiError, AppState,
    auth::Caller,
    paging::{PageQuery, next_id_cursor},
};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_users)
        .service(list_orgs)
        .service(spending)
        .service(disable_user)
        .service(enable_user)
        .service(grant_superadmin)
        .service(revoke_superadmin);
}

/// An account as operators see it.
#[derive(Serialize, ToSchema)]
pub(crate) struct AdminUserBody {
    id: Uuid,
    email: String,
    name: String,
    is_superadmin: bool,
    disabled: bool,
    email_verified: bool,
    mfa_enabled: bool,
    #[serde(serialize_with = "crate::wire::rfc3339")]
    created_at: DateTime<Utc>,
}

impl From<&User> for AdminUserBody {
    fn from(user: &User) -> Self {
        Self {
            id: user.id,
            email: user.email.as_str().to_owned(),
            name: user.name.clone(),
            is_superadmin: user.is_superadmin,
            disabled: user.disabled_at.is_some(),
            email_verified: user.email_verified(),
            mfa_enabled: user.mfa_enabled_at.is_some(),
            created_at: user.created_at,
        }
    }
}

/// A page of accounts.
#[derive(Serialize, ToSchema)]
pub(crate) struct AdminUserPage {
    items: Vec<AdminUserBody>,
    next_cursor: Option<String>,
}

/// Which accounts to list, oldest first.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AdminUserQuery {
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    #[param(pattern = r"^([A-Za-z0-9_-]{22})?$")]
    cursor: Option<String>,
    /// Only accounts whose email or name contains this (any case).
    #[param(max_length = 200)]
    q: Option<String>,
    /// Only disabled (`true`) or enabled (`false`) accounts.
    disabled: Option<bool>,
}

fn search_text(q: &Option<String>) -> Result<Option<String>, tenantry_domain::DomainError> {
    match q.as_deref().map(str::trim) {
        Some(text) if text.chars().count() > 200 => Err(tenantry_domain::DomainError::invalid(
            "q",
            "must be at most 200 characters",
        )),
        Some("") | None => Ok(None),
        Some(text) => Ok(Some(text.to_owned())),
    }
}

#[utoipa::path(
    tag = "operators",
    summary = "Accounts of the install (superadmin)",
    params(AdminUserQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page, oldest first", body = AdminUserPage),
        Unauthenticated, RoleTooLow, InvalidInput, Unavailable
    )
)]
#[get("/api/admin/users")]
pub(crate) async fn list_users(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AdminUserQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = PageQuery::new(query.limit, query.cursor.clone());
    let limit = page.limit()?;
    let search = UserSearch {
        text: search_text(&query.q)?,
        disabled: query.disabled,
        after: page.after_id()?,
        limit: limit + 1,
    };
    let users = state.operators.users(&caller.0, &search).await?;
    let next_cursor = next_id_cursor(&users, limit, |user| user.id);
    Ok(HttpResponse::Ok().json(AdminUserPage {
        items: users
            .iter()
            .take(limit as usize)
            .map(AdminUserBody::from)
            .collect(),
        next_cursor,
    }))
}

/// An org as operators see it.
#[derive(Serialize, ToSchema)]
pub(crate) struct AdminOrgBody {
    id: Uuid,
    name: String,
    personal: bool,
    member_count: u64,
    /// The org's current budget month (in its time zone).
    period: String,
    /// What it spent this month so far, in currency units.
    month_spend: f64,
    month_spend_micros: i64,
    #[serde(serialize_with = "crate::wire::rfc3339")]
    created_at: DateTime<Utc>,
}

impl From<&OrgAtAGlance> for AdminOrgBody {
    fn from(org: &OrgAtAGlance) -> Self {
        Self {
            id: org.org.id,
            name: org.org.name.clone(),
            personal: org.org.personal,
            member_count: org.org.members,
            period: org.period.key(),
            month_spend: units(org.month_spend),
            month_spend_micros: org.month_spend,
            created_at: org.org.created_at,
        }
    }
}

/// A page of orgs.
#[derive(Serialize, ToSchema)]
pub(crate) struct AdminOrgPage {
    items: Vec<AdminOrgBody>,
    next_cursor: Option<String>,
}

/// Which orgs to list, oldest first.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AdminOrgQuery {
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    #[param(pattern = r"^([A-Za-z0-9_-]{22})?$")]
    cursor: Option<String>,
    /// Only orgs whose name contains this (any case).
    #[param(max_length = 200)]
    q: Option<String>,
}

#[utoipa::path(
    tag = "operators",
    summary = "Orgs of the install with member counts and this month's spending (superadmin)",
    params(AdminOrgQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page, oldest first", body = AdminOrgPage),
        Unauthenticated, RoleTooLow, InvalidInput, Unavailable
    )
)]
#[get("/api/admin/orgs")]
pub(crate) async fn list_orgs(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AdminOrgQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = PageQuery::new(query.limit, query.cursor.clone());
    let limit = page.limit()?;
    let search = OrgSearch {
        text: search_text(&query.q)?,
        after: page.after_id()?,
        limit: limit + 1,
    };
    let orgs = state.operators.orgs(&caller.0, &search).await?;
    let next_cursor = next_id_cursor(&orgs, limit, |org| org.org.id);
    Ok(HttpResponse::Ok().json(AdminOrgPage {
        items: orgs.iter().take(limit as usize).map(AdminOrgBody::from).collect(),
        next_cursor,
    }))
}

/// What each org spent in a month.
#[derive(Serialize, ToSchema)]
pub(crate) struct AdminSpendingBody {
    period: String,
    total_cost: f64,
    total_cost_micros: i64,
    by_org: Vec<AdminOrgSpendBody>,
}

/// What one org spent.
#[derive(Serialize, ToSchema)]
pub(crate) struct AdminOrgSpendBody {
    org_id: Uuid,
    name: String,
    cost: f64,
    cost_micros: i64,
}

/// The month to report.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AdminSpendingQuery {
    /// `YYYY-MM`; this month (UTC) when absent.
    #[param(pattern = r"^\d{4}-\d{2}$")]
    period: Option<String>,
}

#[utoipa::path(
    tag = "operators",
    summary = "What every org spent in a month, largest first (superadmin)",
    params(AdminSpendingQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Spending by org", body = AdminSpendingBody),
        Unauthenticated, RoleTooLow, InvalidInput, Unavailable
    )
)]
#[get("/api/admin/usage")]
pub(crate) async fn spending(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AdminSpendingQuery>,
) -> Result<HttpResponse, ApiError> {
    let (period, orgs) = state
        .operators
        .spending(&caller.0, query.period.as_deref())
        .await?;
    let total = orgs.iter().fold(0_i64, |sum, org| sum.saturating_add(org.cost));
    Ok(HttpResponse::Ok().json(AdminSpendingBody {
        period: period.key(),
        total_cost: units(total),
        total_cost_micros: total,
        by_org: orgs
            .into_iter()
            .map(|org| AdminOrgSpendBody {
                org_id: org.org_id,
                name: org.name,
                cost: units(org.cost),
                cost_micros: org.cost,
            })
            .collect(),
    }))
}

#[utoipa::path(
    tag = "operators",
    summary = "Disable an account: its sessions, keys and sandboxes stop at the next request (superadmin)",
    params(("id" = Uuid, Path, description = "The account")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Disabled", body = AdminUserBody),
        Unauthenticated, RoleTooLow, NotVisible, Conflict, Unavailable
    )
)]
#[post("/api/admin/users/{id}/disable")]
pub(crate) async fn disable_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let user = state.operators.disable(&caller.0, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(AdminUserBody::from(&user)))
}

#[utoipa::path(
    tag = "operators",
    summary = "Enable a disabled account (superadmin)",
    params(("id" = Uuid, Path, description = "The account")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Enabled", body = AdminUserBody),
        Unauthenticated, RoleTooLow, NotVisible, Unavailable
    )
)]
#[post("/api/admin/users/{id}/enable")]
pub(crate) async fn enable_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let user = state.operators.enable(&caller.0, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(AdminUserBody::from(&user)))
}

#[utoipa::path(
    tag = "operators",
    summary = "Make an account superadmin (superadmin)",
    params(("id" = Uuid, Path, description = "The account")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Superadmin", body = AdminUserBody),
        Unauthenticated, RoleTooLow, NotVisible, Unavailable
    )
)]
#[post("/api/admin/users/{id}/superadmin")]
pub(crate) async fn grant_superadmin(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let user = state
        .operators
        .set_superadmin(&caller.0, path.into_inner(), true)
        .await?;
    Ok(HttpResponse::Ok().json(AdminUserBody::from(&user)))
}

#[utoipa::path(
    tag = "operators",
    summary = "Take superadmin away; the last one stays (superadmin)",
    params(("id" = Uuid, Path, description = "The account")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "No longer superadmin", body = AdminUserBody),
        Unauthenticated, RoleTooLow, NotVisible, Conflict, Unavailable
    )
)]
#[delete("/api/admin/users/{id}/superadmin")]
pub(crate) async fn revoke_superadmin(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let user = state
        .operators
        .set_superadmin(&caller.0, path.into_inner(), false)
        .await?;
    Ok(HttpResponse::Ok().json(AdminUserBody::from(&user)))
}

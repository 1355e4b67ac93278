//! An org's budget (admin+) and its usage by member and by model.

use actix_web::{HttpResponse, get, put, web};
use serde::{Deserialize, Serialize};
use tenantry_domain::{
    DomainError,
    billing::micros_to_units as units,
    budget::{Budget, BudgetSource, BudgetTimeZone},
    services::budgets::BudgetInput,
};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::problem_responses::{
    InvalidInput, JsonBodyRefused, NotVisible, RoleTooLow, Unauthenticated, Unavailable,
};
use crate::{ApiError, AppState, auth::Caller};

const MICROS: f64 = 1_000_000.0;

/// A member's own monthly cap.
#[derive(Serialize, Deserialize, ToSchema)]
pub(crate) struct MemberCapBody {
    user_id: Uuid,
    /// Currency units per month.
    monthly_cap: f64,
}

/// An org's budget, in currency units; `null` is unlimited.
#[derive(Serialize, Deserialize, ToSchema)]
pub(crate) struct BudgetBody {
    /// What the org may spend per calendar month (in `time_zone`).
    monthly_budget: Option<f64>,
    /// What one conversation may cost in all.
    max_budget_per_task: Option<f64>,
    /// Members' own monthly caps.
    #[serde(default)]
    member_caps: Vec<MemberCapBody>,
    /// `budget`, or `credits`: usage also debits the credits the org bought, and an empty balance
    /// stops agents.
    #[serde(default = "default_source")]
    #[schema(example = "budget")]
    budget_source: String,
    /// The IANA time zone whose calendar months budgets count in; `UTC` unless set.
    #[serde(default = "default_time_zone")]
    #[schema(example = "Europe/Berlin")]
    time_zone: String,
}

fn default_source() -> String {
    BudgetSource::Budget.as_str().to_owned()
}

fn default_time_zone() -> String {
    BudgetTimeZone::UTC.name().to_owned()
}

/// Which month.
#[derive(Deserialize, IntoParams)]
pub(crate) struct UsageQuery {
    /// `2026-11`; the current month (in the budget's time zone) when left out.
    period: Option<String>,
}

/// Spending of one member or model.
#[derive(Serialize, ToSchema)]
pub(crate) struct OrgUsageLineBody {
    /// The member (by member) or the model (by model; `null`: not reported).
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<Option<String>>,
    cost: f64,
    cost_micros: i64,
    prompt_tokens: i64,
    completion_tokens: i64,
}

/// An org's usage in a month.
#[derive(Serialize, ToSchema)]
pub(crate) struct OrgUsageBody {
    period: String,
    total_cost: f64,
    total_cost_micros: i64,
    by_member: Vec<OrgUsageLineBody>,
    by_model: Vec<OrgUsageLineBody>,
    /// Every day of the month, in the budget's time zone, with what it spent.
    by_day: Vec<DailySpendBody>,
}

/// What one day spent.
#[derive(Serialize, ToSchema)]
pub(crate) struct DailySpendBody {
    /// `2026-12-03`.
    date: String,
    cost: f64,
    cost_micros: i64,
}

/// Currency units to micro-units, refusing what is not a sane amount.
fn micros(field: &str, units: f64) -> Result<i64, DomainError> {
    if !units.is_finite() || !(0.0..=1e12).contains(&units) {
        return Err(DomainError::invalid(
            field,
            "must be an amount between 0 and 10^12",
        ));
    }
    Ok((units * MICROS).round() as i64)
}

impl From<Budget> for BudgetBody {
    fn from(budget: Budget) -> Self {
        Self {
            budget_source: budget.source.as_str().to_owned(),
            time_zone: budget.time_zone.name().to_owned(),
            monthly_budget: budget.monthly.map(units),
            max_budget_per_task: budget.per_task.map(units),
            member_caps: budget
                .member_caps
                .into_iter()
                .map(|(user_id, cap)| MemberCapBody {
                    user_id,
                    monthly_cap: units(cap),
                })
                .collect(),
        }
    }
}

#[utoipa::path(
    tag = "orgs",
    summary = "The org's budget (admin+)",
    params(("org_id" = Uuid, Path, description = "The org")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The budget", body = BudgetBody),
        Unauthenticated, RoleTooLow, NotVisible, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/budget")]
pub(crate) async fn get_budget(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let budget = state.budgets.budget(&caller.0, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(BudgetBody::from(budget)))
}

#[utoipa::path(
    tag = "orgs",
    summary = "Set the org's budget (admin+)",
    description = "At 80% of the monthly budget owners and admins are alerted once a month (audit \
                   entry and mail); at 100% starting or continuing a conversation answers 402 \
                   `budget_exceeded`, while usage is still recorded.",
    params(("org_id" = Uuid, Path, description = "The org")),
    request_body = BudgetBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The budget", body = BudgetBody),
        Unauthenticated, RoleTooLow, NotVisible, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[put("/api/orgs/{org_id}/budget")]
pub(crate) async fn put_budget(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<serde_json::Map<String, serde_json::Value>>,
) -> Result<HttpResponse, ApiError> {
    let body: BudgetBody = crate::wire::from_object(body.into_inner())?;
    let input = BudgetInput {
        source: BudgetSource::parse(&body.budget_source)?,
        time_zone: BudgetTimeZone::parse(&body.time_zone)?,
        monthly: body
            .monthly_budget
            .map(|units| micros("monthly_budget", units))
            .transpose()?,
        per_task: body
            .max_budget_per_task
            .map(|units| micros("max_budget_per_task", units))
            .transpose()?,
        member_caps: body
            .member_caps
            .iter()
            .map(|cap| Ok((cap.user_id, micros("member_caps", cap.monthly_cap)?)))
            .collect::<Result<_, DomainError>>()?,
    };
    let budget = state
        .budgets
        .set_budget(&caller.0, path.into_inner(), input)
        .await?;
    Ok(HttpResponse::Ok().json(BudgetBody::from(budget)))
}

#[utoipa::path(
    tag = "orgs",
    summary = "The org's usage in a month, by member and by model (admin+)",
    params(("org_id" = Uuid, Path, description = "The org"), UsageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Usage", body = OrgUsageBody),
        Unauthenticated, RoleTooLow, NotVisible, InvalidInput, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/usage")]
pub(crate) async fn org_usage(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    query: web::Query<UsageQuery>,
) -> Result<HttpResponse, ApiError> {
    let report = state
        .budgets
        .usage(&caller.0, path.into_inner(), query.period.as_deref())
        .await?;
    let (period, usage) = (report.period, report.summary);
    let line = |cost: i64, prompt_tokens: i64, completion_tokens: i64| OrgUsageLineBody {
        user_id: None,
        model: None,
        cost: units(cost),
        cost_micros: cost,
        prompt_tokens,
        completion_tokens,
    };
    Ok(HttpResponse::Ok().json(OrgUsageBody {
        period: period.key(),
        total_cost: units(usage.total),
        total_cost_micros: usage.total,
        by_member: usage
            .by_member
            .into_iter()
            .map(|member| OrgUsageLineBody {
                user_id: Some(member.key),
                ..line(member.cost, member.prompt_tokens, member.completion_tokens)
            })
            .collect(),
        by_model: usage
            .by_model
            .into_iter()
            .map(|model| OrgUsageLineBody {
                model: Some(model.key),
                ..line(model.cost, model.prompt_tokens, model.completion_tokens)
            })
            .collect(),
        by_day: report
            .by_day
            .into_iter()
            .map(|(date, cost)| DailySpendBody {
                date: date.to_string(),
                cost: units(cost),
                cost_micros: cost,
            })
            .collect(),
    }))
}

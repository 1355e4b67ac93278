//! Credits: checkouts (owner), the org's balance, ledger and sessions (admin+), and the payment
//! provider's signed webhook.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tenantry_domain::billing::{BillingSession, LedgerEntry, PaymentOutcome, micros_to_units as units};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::problem_responses::{
    Conflict, InvalidInput, JsonBodyRefused, NotVisible, RoleTooLow, Unauthenticated, Unavailable,
};
use crate::{ApiError, AppState, Problem, auth::Caller};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(checkout)
        .service(billing_overview)
        .service(payment_webhook);
}

/// What to buy.
#[derive(Deserialize, ToSchema)]
pub(crate) struct CheckoutBody {
    /// Credits in currency units (1 to 100000, at most two decimals).
    #[schema(example = 25.0)]
    amount: f64,
}

/// A billing session.
#[derive(Serialize, ToSchema)]
pub(crate) struct BillingSessionBody {
    id: Uuid,
    /// Currency units.
    amount: f64,
    amount_micros: i64,
    /// `in_progress` or `completed`.
    status: String,
    /// Where the payer pays.
    checkout_url: Option<String>,
    created_at: chrono::DateTime<chrono::Utc>,
    completed_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A ledger line: credits positive, debits negative.
#[derive(Serialize, ToSchema)]
pub(crate) struct LedgerEntryBody {
    id: Uuid,
    amount: f64,
    amount_micros: i64,
    kind: String,
    reference: String,
    at: chrono::DateTime<chrono::Utc>,
}

/// An org's credits.
#[derive(Serialize, ToSchema)]
pub(crate) struct BillingBody {
    /// Currency units.
    balance: f64,
    balance_micros: i64,
    /// Newest first (the last 100).
    ledger: Vec<LedgerEntryBody>,
    /// Newest first (the last 100).
    sessions: Vec<BillingSessionBody>,
}

/// A webhook delivery's outcome.
#[derive(Serialize, ToSchema)]
pub(crate) struct WebhookReceipt {
    received: bool,
    /// Whether this delivery credited an org (false for repeats and other events).
    credited: bool,
}

impl From<BillingSession> for BillingSessionBody {
    fn from(session: BillingSession) -> Self {
        Self {
            id: session.id,
            amount: units(session.amount),
            amount_micros: session.amount,
            status: session.status.as_str().to_owned(),
            checkout_url: session.checkout_url,
            created_at: session.created_at,
            completed_at: session.completed_at,
        }
    }
}

impl From<LedgerEntry> for LedgerEntryBody {
    fn from(entry: LedgerEntry) -> Self {
        Self {
            id: entry.id,
            amount: units(entry.amount),
            amount_micros: entry.amount,
            kind: entry.kind.as_str().to_owned(),
            reference: entry.reference,
            at: entry.at,
        }
    }
}

#[utoipa::path(
    tag = "billing",
    summary = "Buy credits: records a billing session and opens a checkout at the payment provider (owner)",
    params(("org_id" = Uuid, Path, description = "The org")),
    request_body = CheckoutBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The session, with its checkout URL", body = BillingSessionBody),
        (status = 502, description = "The payment provider failed", body = Problem, content_type = "application/problem+json"),
        Unauthenticated, RoleTooLow, NotVisible, Conflict, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/orgs/{org_id}/billing/checkout")]
pub(crate) async fn checkout(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<serde_json::Map<String, serde_json::Value>>,
) -> Result<HttpResponse, ApiError> {
    let body: CheckoutBody = crate::wire::from_object(body.into_inner())?;
    let session = state
        .billing
        .checkout(&caller.0, path.into_inner(), body.amount)
        .await?;
    Ok(HttpResponse::Created().json(BillingSessionBody::from(session)))
}

#[utoipa::path(
    tag = "billing",
    summary = "The org's balance, ledger and billing sessions (admin+)",
    params(("org_id" = Uuid, Path, description = "The org")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Credits", body = BillingBody),
        Unauthenticated, RoleTooLow, NotVisible, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/billing")]
pub(crate) async fn billing_overview(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let overview = state.billing.overview(&caller.0, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(BillingBody {
        balance: units(overview.balance),
        balance_micros: overview.balance,
        ledger: overview.ledger.into_iter().map(Into::into).collect(),
        sessions: overview.sessions.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(
    tag = "billing",
    summary = "Payment provider webhook (Stripe-Signature checked; idempotent by event id)",
    request_body(content = serde_json::Value, content_type = "application/json"),
    params(("Stripe-Signature" = String, Header, description = "t=…,v1=…")),
    security(()),
    responses(
        (status = 200, description = "Received", body = WebhookReceipt),
        (status = 400, description = "Signature missing, wrong or stale; not an event", body = Problem, content_type = "application/problem+json"),
        Unavailable
    )
)]
#[post("/api/billing/webhook")]
pub(crate) async fn payment_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: Bytes,
) -> Result<HttpResponse, ApiError> {
    let signature = req
        .headers()
        .get("stripe-signature")
        .and_then(|value| value.to_str().ok());
    let outcome = state.billing.payment_event(signature, &payload).await?;
    Ok(HttpResponse::Ok().json(WebhookReceipt {
        received: true,
        credited: outcome == PaymentOutcome::Credited,
    }))
}

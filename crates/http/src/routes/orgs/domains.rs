//! The email domains an org claims and proves through DNS (admin+).

use actix_web::{HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use tenantry_domain::domain_verification::OrgDomain;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::problem_responses::{
    Conflict, InvalidInput, JsonBodyRefused, NotVisible, RoleTooLow, Unauthenticated, Unavailable,
};
use crate::{ApiError, AppState, auth::Caller};

/// A domain to claim.
#[derive(Deserialize, ToSchema)]
pub(crate) struct DomainInput {
    /// The email domain, e.g. `example.com` (subdomains are claimed one by one).
    #[schema(example = "example.com")]
    domain: String,
}

/// The DNS record that proves a claim.
#[derive(Serialize, ToSchema)]
pub(crate) struct TxtRecordBody {
    /// Where to publish it.
    #[schema(example = "_tenantry-challenge.example.com")]
    name: String,
    /// Its value.
    #[schema(example = "tenantry-domain-verification=Zk3…")]
    value: String,
}

/// An email domain an org claimed, and whether it proved it.
#[derive(Serialize, ToSchema)]
pub(crate) struct DomainBody {
    domain: String,
    /// Whether the TXT record was found: only then does the org's provider sign in existing
    /// accounts of this domain.
    verified: bool,
    verified_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The record to publish.
    txt_record: TxtRecordBody,
    created_at: chrono::DateTime<chrono::Utc>,
}

/// An org's domains.
#[derive(Serialize, ToSchema)]
pub(crate) struct DomainList {
    items: Vec<DomainBody>,
}

fn body(claimed: OrgDomain) -> DomainBody {
    DomainBody {
        txt_record: TxtRecordBody {
            name: claimed.record_name(),
            value: claimed.record_value(),
        },
        domain: claimed.domain.as_str().to_owned(),
        verified: claimed.verified_at.is_some(),
        verified_at: claimed.verified_at,
        created_at: claimed.created_at,
    }
}

#[utoipa::path(
    tag = "orgs",
    summary = "The email domains the org claimed (admin+)",
    params(("org_id" = Uuid, Path, description = "The org")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The domains", body = DomainList),
        Unauthenticated, RoleTooLow, NotVisible, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/domains")]
pub(crate) async fn list_domains(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let domains = state.sso.org_domains(&caller.0, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(DomainList {
        items: domains.into_iter().map(body).collect(),
    }))
}

#[utoipa::path(
    tag = "orgs",
    summary = "Claim an email domain (admin+): the answer names the TXT record that proves it",
    params(("org_id" = Uuid, Path, description = "The org")),
    request_body = DomainInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Claimed, not yet verified", body = DomainBody),
        Unauthenticated, RoleTooLow, NotVisible, JsonBodyRefused, InvalidInput, Conflict, Unavailable
    )
)]
#[post("/api/orgs/{org_id}/domains")]
pub(crate) async fn add_domain(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body_in: web::Json<serde_json::Map<String, serde_json::Value>>,
) -> Result<HttpResponse, ApiError> {
    let input: DomainInput = crate::wire::from_object(body_in.into_inner())?;
    let claimed = state
        .sso
        .add_org_domain(&caller.0, path.into_inner(), &input.domain)
        .await?;
    Ok(HttpResponse::Created().json(body(claimed)))
}

#[utoipa::path(
    tag = "orgs",
    summary = "Verify a claimed domain (admin+): looks its TXT record up in DNS",
    params(
        ("org_id" = Uuid, Path, description = "The org"),
        ("domain" = String, Path, description = "The claimed domain")
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Verified", body = DomainBody),
        Unauthenticated, RoleTooLow, NotVisible, Conflict, Unavailable
    )
)]
#[post("/api/orgs/{org_id}/domains/{domain}/verify")]
pub(crate) async fn verify_domain(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
) -> Result<HttpResponse, ApiError> {
    let (org, domain) = path.into_inner();
    let claimed = state.sso.verify_org_domain(&caller.0, org, &domain).await?;
    Ok(HttpResponse::Ok().json(body(claimed)))
}

#[utoipa::path(
    tag = "orgs",
    summary = "Give up a claimed domain (admin+)",
    params(
        ("org_id" = Uuid, Path, description = "The org"),
        ("domain" = String, Path, description = "The claimed domain")
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        Unauthenticated, RoleTooLow, NotVisible, Unavailable
    )
)]
#[delete("/api/orgs/{org_id}/domains/{domain}")]
pub(crate) async fn delete_domain(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
) -> Result<HttpResponse, ApiError> {
    let (org, domain) = path.into_inner();
    state.sso.delete_org_domain(&caller.0, org, &domain).await?;
    Ok(HttpResponse::NoContent().finish())
}

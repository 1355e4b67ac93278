//! An org's single sign-on provider and its sign-in policy (admin+).

use actix_web::{HttpResponse, delete, get, put, web};
use serde::{Deserialize, Serialize};
use tenantry_domain::{
    SecretString,
    org_policy::{EmailDomain, OrgPolicy},
    services::sso::{OrgSsoInput, PolicyInput},
    sso::OrgSsoView,
};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::problem_responses::{
    Conflict, InvalidInput, JsonBodyRefused, NotVisible, RoleTooLow, Unauthenticated, Unavailable,
};
use crate::{ApiError, AppState, auth::Caller};

/// An org's OpenID Connect provider; the client secret is write-only.
#[derive(Deserialize, ToSchema)]
pub(crate) struct SsoProviderInput {
    /// Issuer URL (https; http only on a loopback host).
    #[schema(example = "https://login.example.com/realms/acme")]
    issuer: String,
    client_id: String,
    /// Required the first time; left out, the stored one is kept.
    #[schema(value_type = Option<String>, format = Password)]
    client_secret: Option<SecretString>,
    /// Email domains that may sign in (and join the org); empty: any may sign in, none joins.
    #[serde(default)]
    allowed_domains: Vec<String>,
    /// Role of members who join by signing in (`admin`, `developer`, `viewer`).
    #[schema(example = "developer")]
    default_role: String,
}

/// An org's provider as shown (never the secret).
#[derive(Serialize, ToSchema)]
pub(crate) struct SsoProviderBody {
    org_id: Uuid,
    issuer: String,
    client_id: String,
    allowed_domains: Vec<String>,
    default_role: String,
    /// Where to start signing in through it.
    start_url: String,
    /// The redirect URI to register at the provider.
    redirect_uri: String,
    updated_at: chrono::DateTime<chrono::Utc>,
}

/// An org's sign-in policy.
#[derive(Serialize, Deserialize, ToSchema)]
pub(crate) struct PolicyBody {
    /// Members without MFA get 403 `mfa_required` on the org's routes.
    require_mfa: bool,
    /// Sessions signed in with a password get 403 `sso_required` on the org's routes.
    require_sso: bool,
    /// Domains members' emails must be in (adds and invitations outside them: 422); empty: any.
    #[serde(default)]
    allowed_email_domains: Vec<String>,
}

impl From<OrgPolicy> for PolicyBody {
    fn from(policy: OrgPolicy) -> Self {
        Self {
            require_mfa: policy.access.require_mfa,
            require_sso: policy.access.require_sso,
            allowed_email_domains: domains(&policy.allowed_email_domains),
        }
    }
}

fn domains(list: &[EmailDomain]) -> Vec<String> {
    list.iter().map(|domain| domain.as_str().to_owned()).collect()
}

fn provider_body(state: &AppState, view: OrgSsoView) -> SsoProviderBody {
    let key = tenantry_domain::sso::ProviderKey::Org(view.org_id);
    SsoProviderBody {
        org_id: view.org_id,
        issuer: view.issuer,
        client_id: view.client_id,
        allowed_domains: domains(&view.allowed_domains),
        default_role: view.default_role.name().to_owned(),
        start_url: format!(
            "{}/api/auth/oidc/{}/start",
            state.public_url.trim_end_matches('/'),
            view.org_id
        ),
        redirect_uri: state.sso.callback_url(&key),
        updated_at: view.updated_at,
    }
}

#[utoipa::path(
    tag = "orgs",
    summary = "The org's single sign-on provider (admin+)",
    params(("org_id" = Uuid, Path, description = "The org")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The provider", body = SsoProviderBody),
        Unauthenticated, RoleTooLow, NotVisible, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/sso")]
pub(crate) async fn get_sso(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .sso
        .org_provider(&caller.0, path.into_inner())
        .await?
        .ok_or(tenantry_domain::DomainError::NotFound)?;
    Ok(HttpResponse::Ok().json(provider_body(&state, view)))
}

#[utoipa::path(
    tag = "orgs",
    summary = "Set the org's single sign-on provider (admin+; the client secret is sealed, write-only)",
    params(("org_id" = Uuid, Path, description = "The org")),
    request_body = SsoProviderInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The provider", body = SsoProviderBody),
        Unauthenticated, RoleTooLow, NotVisible, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[put("/api/orgs/{org_id}/sso")]
pub(crate) async fn put_sso(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<serde_json::Map<String, serde_json::Value>>,
) -> Result<HttpResponse, ApiError> {
    let body: SsoProviderInput = crate::wire::from_object(body.into_inner())?;
    let input = OrgSsoInput {
        issuer: body.issuer,
        client_id: body.client_id,
        client_secret: body.client_secret,
        allowed_domains: body.allowed_domains,
        default_role: body.default_role,
    };
    let view = state
        .sso
        .put_org_provider(&caller.0, path.into_inner(), input)
        .await?;
    Ok(HttpResponse::Ok().json(provider_body(&state, view)))
}

#[utoipa::path(
    tag = "orgs",
    summary = "Remove the org's single sign-on provider (admin+)",
    params(("org_id" = Uuid, Path, description = "The org")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        Unauthenticated, RoleTooLow, NotVisible, Conflict, Unavailable
    )
)]
#[delete("/api/orgs/{org_id}/sso")]
pub(crate) async fn delete_sso(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state
        .sso
        .delete_org_provider(&caller.0, path.into_inner())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    tag = "orgs",
    summary = "The org's sign-in policy (admin+)",
    params(("org_id" = Uuid, Path, description = "The org")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The policy", body = PolicyBody),
        Unauthenticated, RoleTooLow, NotVisible, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/policy")]
pub(crate) async fn get_policy(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let policy = state.sso.policy(&caller.0, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(PolicyBody::from(policy)))
}

#[utoipa::path(
    tag = "orgs",
    summary = "Set the org's sign-in policy (admin+)",
    description = "Requiring MFA needs the admin enrolled; requiring SSO needs a provider and the \
                   admin signed in through one (nobody locks themselves out).",
    params(("org_id" = Uuid, Path, description = "The org")),
    request_body = PolicyBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The policy", body = PolicyBody),
        Unauthenticated, RoleTooLow, NotVisible, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[put("/api/orgs/{org_id}/policy")]
pub(crate) async fn put_policy(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<serde_json::Map<String, serde_json::Value>>,
) -> Result<HttpResponse, ApiError> {
    let body: PolicyBody = crate::wire::from_object(body.into_inner())?;
    let input = PolicyInput {
        require_mfa: body.require_mfa,
        require_sso: body.require_sso,
        allowed_email_domains: body.allowed_email_domains,
    };
    let policy = state.sso.set_policy(&caller.0, path.into_inner(), input).await?;
    Ok(HttpResponse::Ok().json(PolicyBody::from(policy)))
}

//! The OpenAPI 3.1 document, generated from the handlers' annotations, and the routes serving it.

use std::sync::LazyLock;

use actix_web::{HttpResponse, get, web};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
};

use crate::{Problem, routes};

/// Adds the bearer scheme (access JWT or `tnt_` API key).
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT access token or tnt_ API key")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Session-API-Key",
                "A sandbox's session key (its agent server's OH_SESSION_API_KEYS_0)",
            ))),
        );
    }
}

/// Every route a bearer token opens may answer 429: the caller's rate limits.
struct RateLimited;

impl Modify for RateLimited {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                item.get.as_mut(),
                item.put.as_mut(),
                item.post.as_mut(),
                item.delete.as_mut(),
                item.patch.as_mut(),
            ];
            for operation in operations.into_iter().flatten() {
                let bearer = serde_json::to_string(&operation.security)
                    .is_ok_and(|security| security.contains("\"bearer\""));
                if !bearer {
                    continue;
                }
                let response = ResponseBuilder::new()
                    .description(
                        "Rate limit exceeded (`too_many_requests`; see `Retry-After`, `RateLimit-Policy` and `RateLimit`)",
                    )
                    .content(
                        "application/problem+json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build();
                operation
                    .responses
                    .responses
                    .entry("429".to_owned())
                    .or_insert(RefOr::T(response));
            }
        }
    }
}

/// Tenantry's HTTP API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tenantry",
        description = "Multi-tenant backend for AI coding-agent platforms. Errors are RFC 9457 problem documents.",
    ),
    paths(
        routes::health::healthz,
        routes::health::readyz,
        routes::metrics::metrics,
        routes::auth::register,
        routes::auth::login,
        routes::auth::refresh,
        routes::auth::logout,
        routes::auth::logout_all,
        routes::auth::list_sessions,
        routes::auth::end_session,
        routes::auth::rename_me,
        routes::cloud::device_flow::decide_device,
        routes::auth::me,
        routes::auth::change_password,
        routes::auth::request_verification,
        routes::auth::verify_email,
        routes::auth::request_password_reset,
        routes::auth::reset_password,
        routes::auth::totp_setup,
        routes::auth::totp_confirm,
        routes::auth::mfa_verify,
        routes::auth::mfa_disable,
        routes::auth::sso_start,
        routes::auth::sso_callback,
        routes::auth::sso_exchange,
        routes::compat::register_with_team,
        routes::compat::form_login,
        routes::compat::users_me,
        routes::compat::list_teams,
        routes::compat::create_team,
        routes::compat::get_team,
        routes::compat::add_team_member,
        routes::orgs::list_orgs,
        routes::orgs::create_org,
        routes::orgs::get_org,
        routes::orgs::update_org,
        routes::orgs::delete_org,
        routes::orgs::switch_org,
        routes::orgs::transfer_org,
        routes::orgs::audit_log,
        routes::orgs::export_org,
        routes::orgs::get_sso,
        routes::orgs::put_sso,
        routes::orgs::delete_sso,
        routes::orgs::list_domains,
        routes::orgs::add_domain,
        routes::orgs::verify_domain,
        routes::orgs::delete_domain,
        routes::orgs::get_budget,
        routes::orgs::put_budget,
        routes::orgs::org_usage,
        routes::orgs::get_policy,
        routes::orgs::put_policy,
        routes::orgs::list_roles,
        routes::members::list_members,
        routes::members::add_member,
        routes::members::change_role,
        routes::members::remove_member,
        routes::members::invite,
        routes::members::list_invitations,
        routes::members::revoke_invitation,
        routes::members::resend_invitation,
        routes::members::preview_invitation,
        routes::members::accept_invitation,
        routes::conversations::create,
        routes::conversations::list,
        routes::conversations::get_one,
        routes::conversations::update,
        routes::conversations::remove,
        routes::conversations::reassign,
        routes::conversations::append_events,
        routes::conversations::stream::follow_events,
        routes::conversations::stream::stream_ticket,
        routes::conversations::stream::watch_org,
        routes::conversations::read_events,
        routes::conversations::usage,
        routes::conversations::message,
        routes::conversations::pause,
        routes::conversations::resume,
        routes::secrets::runtime_secrets,
        routes::sharing::create_share,
        routes::sharing::list_shares,
        routes::sharing::revoke_share,
        routes::sharing::shared,
        routes::sharing::shared_events,
        routes::sharing::shared_stream,
        routes::settings::get_org_settings,
        routes::settings::patch_org_settings,
        routes::settings::get_my_settings,
        routes::settings::patch_my_settings,
        routes::settings::effective_settings,
        routes::settings::get_preferences,
        routes::settings::patch_preferences,
        routes::secrets::list_secrets,
        routes::secrets::put_secret,
        routes::secrets::delete_secret,
        routes::secrets::list_keys,
        routes::secrets::create_key,
        routes::secrets::revoke_key,
        routes::sandboxes::create_sandbox,
        routes::sandboxes::list_sandboxes,
        routes::sandboxes::list_sandbox_specs,
        routes::sandboxes::get_sandbox,
        routes::sandboxes::pause_sandbox,
        routes::sandboxes::resume_sandbox,
        routes::sandboxes::delete_sandbox,
        routes::admin::list_users,
        routes::admin::list_orgs,
        routes::admin::spending,
        routes::admin::disable_user,
        routes::admin::enable_user,
        routes::admin::grant_superadmin,
        routes::admin::revoke_superadmin,
        routes::billing::checkout,
        routes::billing::billing_overview,
        routes::billing::payment_webhook,
        routes::webhooks::report_conversation,
        routes::webhooks::report_events,
        routes::webhooks::lookup_secret
    ),
    components(schemas(Problem)),
    modifiers(&BearerAuth, &RateLimited),
    tags(
        (name = "identity", description = "Accounts and sessions"),
        (name = "orgs", description = "Orgs, roles, audit log"),
        (name = "members", description = "Members and invitations"),
        (name = "conversations", description = "Conversations, events, usage"),
        (name = "settings", description = "Org settings, overrides, preferences"),
        (name = "secrets", description = "Secrets"),
        (name = "sharing", description = "Read-only share links of conversations"),
        (name = "api-keys", description = "API keys"),
        (name = "sandboxes", description = "Agent servers in an org: started by Tenantry, or registered by URL"),
        (name = "billing", description = "Credits, checkouts and payment events"),
        (name = "operators", description = "The install's superadmins: accounts, orgs and spending across orgs"),
        (name = "webhooks", description = "What agent servers report (OpenHands agent server protocol)"),
        (name = "operations", description = "Health, readiness, metrics"),
        (name = "compatibility", description = "Aliases for team-style clients"),
    )
)]
pub struct ApiDoc;

static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_owned())
});

/// The document as JSON.
pub fn openapi_json() -> &'static str {
    &DOCUMENT
}

/// Path templates of the API (from the document) and the methods each answers.
static METHODS_BY_PATH: LazyLock<Vec<(Vec<String>, Vec<String>)>> = LazyLock::new(|| {
    ApiDoc::openapi()
        .paths
        .paths
        .iter()
        .map(|(path, item)| {
            let segments = path.split('/').map(str::to_owned).collect();
            let value = serde_json::to_value(item).unwrap_or_default();
            let methods = ["get", "post", "put", "patch", "delete"]
                .into_iter()
                .filter(|method| value.get(*method).is_some())
                .map(str::to_uppercase)
                .collect();
            (segments, methods)
        })
        .collect()
});

/// The methods the API answers on `path`, if it is one of its paths.
pub(crate) fn allowed_methods(path: &str) -> Option<&'static [String]> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    METHODS_BY_PATH
        .iter()
        .find(|(template, _)| {
            template.len() == segments.len()
                && template
                    .iter()
                    .zip(&segments)
                    .all(|(expected, actual)| expected.starts_with('{') || expected == actual)
        })
        .map(|(_, methods)| methods.as_slice())
}

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(openapi_document);
}

#[get("/api/openapi.json")]
pub(crate) async fn openapi_document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(openapi_json())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Every `(method, path)` registered through an actix route attribute or resource in
    /// `src/routes` (and its folders) and `src/openapi.rs`, read from the source.
    fn registered_routes() -> BTreeSet<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![dir.join("openapi.rs")];
        let mut folders = vec![dir.join("routes")];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder).expect("routes dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    folders.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        let mut routes = BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read");
            let mut resource: Option<String> = None;
            for line in text.lines().map(str::trim) {
                for method in ["get", "post", "put", "patch", "delete"] {
                    if let Some(rest) = line.strip_prefix(&format!("#[{method}(\"")) {
                        let path = rest.split('"').next().expect("path");
                        routes.insert((method.to_owned(), path.to_owned()));
                    }
                    if let Some(resource) = &resource
                        && line.contains(&format!("web::{method}()"))
                    {
                        routes.insert((method.to_owned(), resource.clone()));
                    }
                }
                if let Some(rest) = line.strip_prefix("web::resource(\"") {
                    resource = rest.split('"').next().map(str::to_owned);
                }
            }
        }
        routes
    }

    #[test]
    fn every_route_has_a_spec_entry() {
        let spec: serde_json::Value = serde_json::from_str(openapi_json()).expect("json");
        let mut documented = BTreeSet::new();
        for (path, item) in spec["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("item").keys() {
                documented.insert((method.clone(), path.clone()));
            }
        }
        let serving_the_spec = [("get".to_owned(), "/api/openapi.json".to_owned())];
        let registered = registered_routes();
        assert!(registered.len() > 50, "the scan finds the routes: {registered:?}");
        let missing: Vec<_> = registered
            .iter()
            .filter(|route| !documented.contains(route) && !serving_the_spec.contains(route))
            .collect();
        assert!(missing.is_empty(), "routes without a spec entry: {missing:?}");
        let stale: Vec<_> = documented
            .iter()
            .filter(|route| !registered.contains(route))
            .collect();
        assert!(stale.is_empty(), "spec entries without a route: {stale:?}");
    }

    #[test]
    fn the_document_is_openapi_3_1_with_a_bearer_scheme() {
        let spec: serde_json::Value = serde_json::from_str(openapi_json()).expect("json");
        assert!(spec["openapi"].as_str().expect("version").starts_with("3.1"));
        assert_eq!(
            spec["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
        assert!(spec["components"]["schemas"]["Problem"].is_object());
    }
}

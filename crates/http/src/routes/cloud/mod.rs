//! The OpenHands Cloud API: the routes OpenHands' own clients (the SDK's `OpenHandsCloudWorkspace`,
//! the TypeScript `CloudClient`) call, in OpenHands' shapes, per org. A request acts in the org
//! `X-Org-Id` names, else the API key's, else the caller's current org; errors are JSON
//! `{"detail": …}` as those clients expect, while Tenantry's own routes keep problem+json.

mod app_conversations;
pub(crate) mod device_flow;
mod errors;
mod events;
mod not_served;
mod organizations;
mod profiles;
mod query;
mod request_org;
mod sandbox_specs;
mod sandboxes;
mod secrets;
mod settings;
mod start_tasks;
mod users;
mod web_client;

use actix_web::{middleware::from_fn, web};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(device_flow::configure)
        .configure(not_served::configure)
        .service(
            web::scope("/api/v1/sandboxes")
                .wrap(from_fn(errors::openhands_errors))
                .configure(sandboxes::configure),
        )
        .service(
            web::scope("/api/v1/sandbox-specs")
                .wrap(from_fn(errors::openhands_errors))
                .configure(sandbox_specs::configure),
        )
        .service(
            web::scope("/api/v1/app-conversations")
                .wrap(from_fn(errors::openhands_errors))
                .configure(start_tasks::configure)
                .configure(app_conversations::configure),
        )
        .service(
            web::scope("/api/v1/conversation")
                .wrap(from_fn(errors::openhands_errors))
                .configure(events::configure),
        )
        .service(
            web::scope("/api/organizations")
                .wrap(from_fn(errors::openhands_errors))
                .configure(organizations::configure_organizations)
                .configure(profiles::configure_in_named_org),
        )
        .service(
            web::scope("/api/keys")
                .wrap(from_fn(errors::openhands_errors))
                .configure(organizations::configure_keys),
        )
        .service(
            web::scope("/api/v1/secrets")
                .wrap(from_fn(errors::openhands_errors))
                .configure(secrets::configure),
        )
        .service(
            web::scope("/api/v1/settings")
                .wrap(from_fn(errors::openhands_errors))
                .configure(profiles::configure_in_request_org)
                .configure(settings::configure),
        )
        .service(web::scope("/api/v1/web-client").configure(web_client::configure))
        .service(
            web::scope("/api/v1/users")
                .wrap(from_fn(errors::openhands_errors))
                .configure(users::configure),
        );
}

/// `{"success": true}`, OpenHands' answer to an action that worked.
pub(crate) fn success() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().json(serde_json::json!({ "success": true }))
}

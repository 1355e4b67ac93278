//! `/api/v1/web-client/config`: what this install offers, as OpenHands' web clients read it
//! (`WebClientConfig`); no sign-in needed.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::AppState;

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/config", web::get().to(config));
}

async fn config(state: web::Data<AppState>) -> HttpResponse {
    let billing = state.billing_enabled;
    HttpResponse::Ok().json(json!({
        "app_mode": "saas",
        "posthog_client_key": null,
        "feature_flags": {
            "enable_billing": billing,
            "hide_llm_settings": false,
            "enable_jira": false,
            "enable_jira_dc": false,
            "enable_linear": false,
            "hide_users_page": false,
            "hide_billing_page": !billing,
            "hide_integrations_page": true,
            "hide_personal_workspaces": false,
            "enable_onboarding": false,
            "allow_user_llm_configuration": true,
            "enable_acp": false,
            "enable_automations": false,
            "deployment_mode": "self_hosted",
        },
        "providers_configured": [],
        "maintenance_start_time": null,
        "auth_url": null,
        "recaptcha_site_key": null,
        "faulty_models": [],
        "error_message": null,
        "updated_at": crate::wire::rfc3339_text(&chrono::Utc::now()),
        "github_app_slug": null,
        "gitlab_enabled": false,
        "provider_default_hosts": {},
        "slack_enabled": false,
        "email_enabled": true,
        "acp_providers": [],
        "kind": "WebClientConfig",
    }))
}

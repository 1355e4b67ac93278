//! The OAuth 2.0 device authorization grant (RFC 8628) as OpenHands' `CloudClient` uses it
//! (`startDeviceFlow`, `pollForToken`): `POST /oauth/device/authorize`, `POST /oauth/device/token`
//! (form data; errors as RFC 8628 says), and Tenantry's own route where a signed-in person approves
//! or denies a code (the console's device page calls it).

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use serde_json::json;
use tenantry_domain::{device_authorization::DEVICE_KEY_TTL_DAYS, services::device_flow::DeviceTokenError};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::problem_responses::{
    InvalidInput, JsonBodyRefused, NotVisible, RoleTooLow, Unauthenticated, Unavailable,
};
use crate::{ApiError, AppState, auth::Caller};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/oauth/device/authorize", web::post().to(authorize))
        .route("/oauth/device/token", web::post().to(token))
        .service(decide_device);
}

/// The grant type a device polls with.
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

async fn authorize(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let codes = state.device_flow.authorize().await?;
    let verification_uri = format!("{}/device", state.public_url.trim_end_matches('/'));
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({
            "device_code": codes.device_code.expose(),
            "user_code": codes.user_code,
            "verification_uri": verification_uri,
            "verification_uri_complete": format!("{verification_uri}?user_code={}", codes.user_code),
            "expires_in": codes.expires_in,
            "interval": codes.interval,
        })))
}

fn oauth_error(code: &str, description: &str) -> HttpResponse {
    let mut body = json!({ "error": code, "error_description": description });
    if code == DeviceTokenError::SlowDown.code() {
        body["interval"] = json!(tenantry_domain::device_authorization::POLL_INTERVAL_SECS + 5);
    }
    HttpResponse::BadRequest()
        .insert_header(("Cache-Control", "no-store"))
        .json(body)
}

/// `grant_type` and `device_code` from a form body (RFC 8628), or from JSON.
fn token_request(req: &HttpRequest, body: &[u8]) -> Option<(String, String)> {
    let form = req
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|kind| kind.starts_with("application/x-www-form-urlencoded"));
    let field = |name: &str| -> Option<String> {
        if form {
            url::form_urlencoded::parse(body)
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.into_owned())
        } else {
            let value: serde_json::Value = serde_json::from_slice(body).ok()?;
            value.get(name)?.as_str().map(str::to_owned)
        }
    };
    Some((field("grant_type")?, field("device_code")?))
}

async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let Some((grant, device_code)) = token_request(&req, &body) else {
        return Ok(oauth_error(
            "invalid_request",
            "grant_type and device_code are required",
        ));
    };
    if grant != DEVICE_GRANT {
        return Ok(oauth_error(
            "unsupported_grant_type",
            "only the device code grant is served here",
        ));
    }
    Ok(match state.device_flow.token(&device_code).await? {
        Ok(key) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(json!({
                "access_token": key.expose(),
                "token_type": "Bearer",
                "expires_in": DEVICE_KEY_TTL_DAYS * 86_400,
            })),
        Err(error) => {
            let description = match error {
                DeviceTokenError::Pending => "the code is not approved yet",
                DeviceTokenError::SlowDown => "poll less often",
                DeviceTokenError::Expired => "the code expired; start again",
                DeviceTokenError::Denied => "the code was denied",
                DeviceTokenError::InvalidGrant => "unknown or spent device code",
            };
            oauth_error(error.code(), description)
        }
    })
}

/// A person's decision on a device's code.
#[derive(Deserialize, ToSchema)]
pub(crate) struct DeviceDecisionBody {
    /// The code the device shows (`XXXX-XXXX`; case, dash and spaces do not matter).
    #[schema(max_length = 32)]
    user_code: String,
    /// The org the device will act in (its API key is the caller's in this org).
    org_id: Uuid,
    /// Approve (true) or deny (false).
    approve: bool,
}

#[utoipa::path(
    tag = "identity",
    summary = "Approve or deny a device's sign-in code (a person, not an API key; approving needs developer+ in the org)",
    description = "The device polling `POST /oauth/device/token` then gets an API key of the caller in `org_id`, valid 30 days, once.",
    request_body = DeviceDecisionBody,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Recorded"),
        Unauthenticated, RoleTooLow, NotVisible, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/oauth/device/decisions")]
pub(crate) async fn decide_device(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<DeviceDecisionBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    state
        .device_flow
        .decide(&caller.0, &body.user_code, body.org_id, body.approve)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

//! The org a request acts in ([`tenantry_domain::request_org`]), from `X-Org-Id`.

use actix_web::HttpRequest;
use tenantry_domain::{Caller, DomainError, OrgId};

/// The org the request acts in; an `X-Org-Id` that is not a UUID is 422.
pub(crate) fn request_org(req: &HttpRequest, caller: &Caller) -> Result<OrgId, DomainError> {
    let named = match req.headers().get("x-org-id") {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .and_then(|text| uuid::Uuid::parse_str(text.trim()).ok())
                .ok_or_else(|| DomainError::invalid("X-Org-Id", "must be an org's UUID"))?,
        ),
    };
    tenantry_domain::request_org::request_org(named, caller)
}

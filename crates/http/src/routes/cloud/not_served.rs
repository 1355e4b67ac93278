//! OpenHands routes this server does not serve (git integrations, skills, model catalogues):
//! their searches answer an empty page, so clients degrade instead of failing; anything else
//! under them is a clear 404.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::auth::Caller;

/// Searches that answer empty pages.
const EMPTY_SEARCHES: &[&str] = &[
    "/api/v1/git/repositories/search",
    "/api/v1/git/installations/search",
    "/api/v1/git/branches/search",
    "/api/v1/git/suggested-tasks/search",
    "/api/v1/skills/search",
    "/api/v1/config/models/search",
    "/api/v1/config/providers/search",
];

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    for path in EMPTY_SEARCHES {
        cfg.route(path, web::get().to(empty_page));
    }
}

async fn empty_page(caller: Caller) -> HttpResponse {
    let _ = caller;
    HttpResponse::Ok().json(json!({ "items": [], "next_page_id": null }))
}

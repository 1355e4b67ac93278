//! The web console and the API reference, both embedded in the binary at build time: nothing is
//! loaded from elsewhere at run time, and both pages run under a CSP without inline scripts.
//!
//! The console is a single page: every path a person can open (including the links Tenantry mails)
//! answers its `index.html`, and the page routes itself.

use std::sync::{Arc, LazyLock};

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rust_embed::Embed;

/// The console's files (`crates/http/console`).
#[derive(Embed)]
#[folder = "console/"]
struct ConsoleAssets;

/// Paths that open the console; `/orgs/…` are its org screens.
const PAGES: [&str; 10] = [
    "/",
    "/sign-in",
    "/sign-up",
    "/forgot-password",
    "/verify-email",
    "/reset-password",
    "/invitations/accept",
    "/account",
    "/device",
    "/admin",
];

/// The console's policy: scripts, styles and fonts from this origin only; API calls and live
/// streams to this origin; images also as data URLs (the TOTP QR code); no HTML from strings
/// (Trusted Types: the console builds every element from plain values).
const CONSOLE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'; require-trusted-types-for 'script'";

/// Swagger UI sets element styles from its scripts; its scripts still come from this origin only.
const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// The reference page; its files are Swagger UI's, vendored through `utoipa-swagger-ui`.
const DOCS_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tenantry API reference</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="stylesheet" href="/docs/index.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script src="/docs/swagger-initializer.js"></script>
</body>
</html>
"#;

static SWAGGER_CONFIG: LazyLock<Arc<utoipa_swagger_ui::Config<'static>>> =
    LazyLock::new(|| Arc::new(utoipa_swagger_ui::Config::from("/api/openapi.json")));

/// Registers the console's pages and assets and the API reference.
pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource(PAGES).get(page))
        .service(web::resource("/orgs/{tail:.*}").get(page))
        .service(web::resource("/assets/{file:.*}").get(asset))
        .service(web::resource("/docs").get(docs_page))
        .service(web::resource("/docs/{file:.*}").get(docs_file));
}

async fn page(req: HttpRequest) -> HttpResponse {
    embedded(&req, "index.html")
}

async fn asset(req: HttpRequest, file: web::Path<String>) -> HttpResponse {
    embedded(&req, &file)
}

/// An embedded file, revalidated by its hash (`ETag`, 304 when unchanged).
fn embedded(req: &HttpRequest, name: &str) -> HttpResponse {
    let Some(file) = ConsoleAssets::get(name) else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("not found");
    };
    let etag = format!(
        "\"{}\"",
        URL_SAFE_NO_PAD.encode(&file.metadata.sha256_hash()[..16])
    );
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == etag));
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("Content-Security-Policy", CONSOLE_CSP));
    if unchanged {
        return response.finish();
    }
    response
        .content_type(content_type(file.metadata.mimetype()))
        .body(file.data.into_owned())
}

/// Text types are served as UTF-8.
fn content_type(mime: &str) -> String {
    if mime.starts_with("text/") || mime == "application/javascript" {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_owned()
    }
}

async fn docs_page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", DOCS_CSP))
        .body(DOCS_PAGE)
}

async fn docs_file(file: web::Path<String>) -> HttpResponse {
    match utoipa_swagger_ui::serve(&file, SWAGGER_CONFIG.clone()) {
        Ok(Some(file)) => HttpResponse::Ok()
            .content_type(file.content_type)
            .insert_header(("Content-Security-Policy", DOCS_CSP))
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .body(file.bytes.into_owned()),
        Ok(None) => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("not found"),
        Err(error) => {
            tracing::error!(%error, "the API reference's files cannot be read");
            HttpResponse::InternalServerError().finish()
        }
    }
}

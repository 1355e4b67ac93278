//! Security headers on every response.

use actix_web::middleware::DefaultHeaders;

/// The headers every response carries (HSTS aside).
pub(crate) const SECURITY_HEADERS: [(&str, &str); 6] = [
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    (
        "Content-Security-Policy",
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
];

/// `Cache-Control: no-store`, `nosniff`, a restrictive CSP, no framing, no referrer; HSTS when the
/// service is served over TLS.
pub fn security_headers(hsts: bool) -> DefaultHeaders {
    let headers = SECURITY_HEADERS
        .into_iter()
        .fold(DefaultHeaders::new(), |headers, header| headers.add(header));
    if hsts {
        headers.add(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    } else {
        headers
    }
}

//! Identity providers Tenantry calls for an org's single sign-on: a discovery document is read up
//! to `auth.oidc.max_document_bytes` and a failed discovery is not fetched again for a while; a
//! provider whose endpoints are off its issuer's origin (and not under
//! `auth.oidc.endpoint_allow_list`) is refused, so `/api/auth/oidc/{org}/start` never redirects
//! wherever an org's discovery document says.

use serde_json::{Value, json};

use super::outbound_upstream::{Answer, Upstream, peak_rss_kib};
use crate::support::{TestApp, spawn_app};

const MIB: u64 = 1024 * 1024;

/// A fresh org whose admin points its single sign-on at `issuer`; returns the org id.
async fn org_with_issuer(app: &TestApp, tag: &str, issuer: &str) -> String {
    let admin = app
        .register(&format!("admin.{tag}@example.com"), super::PASSWORD)
        .await;
    let (status, org) = app
        .api(&admin.access_token)
        .create_org(json!({ "name": format!("SSO {tag}") }))
        .await;
    assert_eq!(status, 201, "{org}");
    let org = org["id"].as_str().expect("org id").to_owned();
    let (status, body) = app
        .call(
            "PUT",
            &admin.access_token,
            &format!("/api/orgs/{org}/sso"),
            Some(json!({
                "issuer": issuer,
                "client_id": "tenantry",
                "client_secret": "secret",
                "allowed_domains": ["example.com"],
                "default_role": "developer",
            })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    org
}

/// `GET …/start`: status, `Location` and body.
async fn start(app: &TestApp, org: &str) -> (u16, Option<String>, Value) {
    let response = app.get(&format!("/api/auth/oidc/{org}/start")).await;
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    (status, location, response.json().await.unwrap_or(Value::Null))
}

/// A discovery document for `issuer` with its endpoints where `authorization` and `jwks` say.
fn discovery(issuer: &str, authorization: &str, jwks: &str) -> String {
    json!({
        "issuer": issuer,
        "authorization_endpoint": authorization,
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": jwks,
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    })
    .to_string()
}

/// An issuer answering its discovery with the endpoints `place` names (given the issuer's URL),
/// and an empty key set.
fn issuer(place: impl Fn(&str) -> (String, String) + Send + Sync + 'static) -> Upstream {
    let base = std::sync::Arc::new(std::sync::OnceLock::<String>::new());
    let known = base.clone();
    let upstream = Upstream::start(move |request| {
        let issuer = known.get().expect("base URL").clone();
        if request.path.ends_with("/.well-known/openid-configuration") {
            let (authorization, jwks) = place(&issuer);
            Answer::Json(200, discovery(&issuer, &authorization, &jwks))
        } else {
            Answer::Json(200, json!({ "keys": [] }).to_string())
        }
    });
    base.set(upstream.base_url.clone()).expect("set once");
    upstream
}

#[tokio::test]
async fn an_endless_discovery_document_is_abandoned_at_the_cap_and_not_fetched_again() {
    let app = spawn_app().await;
    let hostile = Upstream::start(|_| Answer::Endless { limit: 512 * MIB });
    let org = org_with_issuer(&app, "endless", &hostile.base_url).await;

    let before = peak_rss_kib();
    let (status, location, problem) = start(&app, &org).await;
    let after = peak_rss_kib();
    let sent = hostile.wait_for_sent(1);
    eprintln!(
        "endless discovery: {} bytes sent before Tenantry hung up; peak RSS {before:?} kB before, {after:?} kB after",
        sent[0].body_bytes
    );
    assert_eq!(
        (status, problem["code"].as_str()),
        (502, Some("sso_provider_unavailable")),
        "{problem}"
    );
    assert_eq!(location, None);
    assert!(sent[0].peer_hung_up, "{sent:?}");
    assert!(
        sent[0].body_bytes < 32 * MIB,
        "read on to {} bytes",
        sent[0].body_bytes
    );

    // Further sign-ins through it fail at once, without another fetch.
    for _ in 0..3 {
        let (status, _, problem) = start(&app, &org).await;
        assert_eq!(status, 502, "{problem}");
    }
    assert_eq!(hostile.received().len(), 1, "{:?}", hostile.received());
}

#[tokio::test]
async fn endpoints_off_the_issuers_origin_are_refused_unless_allow_listed() {
    let app = spawn_app().await;

    // Everything on the issuer's origin: the browser goes there.
    let honest = issuer(|issuer| (format!("{issuer}/authorize"), format!("{issuer}/jwks")));
    let honest_org = org_with_issuer(&app, "honest", &honest.base_url).await;
    let (status, location, body) = start(&app, &honest_org).await;
    assert_eq!(status, 302, "{body}");
    assert!(
        location
            .as_deref()
            .is_some_and(|to| to.starts_with(&format!("{}/authorize?", honest.base_url))),
        "{location:?}"
    );

    // An authorization endpoint elsewhere: no redirect there.
    let redirecting = issuer(|issuer| ("https://phish.example/authorize".into(), format!("{issuer}/jwks")));
    let redirecting_org = org_with_issuer(&app, "redirecting", &redirecting.base_url).await;
    let (status, location, problem) = start(&app, &redirecting_org).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (502, Some("sso_provider_unavailable")),
        "{problem}"
    );
    assert_eq!(location, None);

    // Keys on another origin (another port of this machine): never fetched.
    let elsewhere = Upstream::start(|_| Answer::Json(200, json!({ "keys": [] }).to_string()));
    let keys_at = format!("{}/jwks", elsewhere.base_url);
    let foreign_keys = issuer(move |issuer| (format!("{issuer}/authorize"), keys_at.clone()));
    let foreign_keys_org = org_with_issuer(&app, "foreign-keys", &foreign_keys.base_url).await;
    let (status, location, problem) = start(&app, &foreign_keys_org).await;
    assert_eq!(status, 502, "{problem}");
    assert_eq!(location, None);
    assert!(elsewhere.received().is_empty(), "{:?}", elsewhere.received());

    // The operator may allow a place off the issuer's origin.
    let allowing = app
        .start_sibling(|config| {
            config.auth.oidc.endpoint_allow_list = vec!["https://phish.example/authorize".into()];
        })
        .await;
    let (status, location, body) = start(&allowing, &redirecting_org).await;
    assert_eq!(status, 302, "{body}");
    assert!(
        location
            .as_deref()
            .is_some_and(|to| to.starts_with("https://phish.example/authorize?")),
        "{location:?}"
    );
    allowing.stop().await;
}

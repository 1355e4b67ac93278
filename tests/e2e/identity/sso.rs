//! Single sign-on against a real OpenID Provider (`oidc-provider` from npm, run with node): new,
//! linked and refused accounts; forged, replayed and tampered answers; key rotation; redirects;
//! and the org policies that require MFA or SSO and restrict email domains.

use serde_json::{Value, json};

use super::mfa::{early_in_a_step, enrol, hotp};
use crate::support::{
    DnsServer, PASSWORD, Session, TestApp,
    oidc_provider::{Account, OidcProvider, oidc_modules, provider_missing, sign_in_at_provider},
    spawn_app_with,
};

/// An org whose admins configured the provider for it.
struct OrgSso {
    app: TestApp,
    provider: OidcProvider,
    admin: Session,
    org: String,
    /// The DNS the app verifies domains against.
    dns: DnsServer,
}

const ALICE: Account<'static> = Account {
    sub: "alice",
    email: "alice@example.com",
    email_verified: true,
};
const BOB: Account<'static> = Account {
    sub: "bob",
    email: "bob@example.com",
    email_verified: true,
};
const CAROL: Account<'static> = Account {
    sub: "carol",
    email: "carol@example.com",
    email_verified: false,
};
const DAVE: Account<'static> = Account {
    sub: "dave",
    email: "dave@elsewhere.org",
    email_verified: true,
};
const ADMIN: Account<'static> = Account {
    sub: "admin",
    email: "admin@example.com",
    email_verified: true,
};

fn callback(app: &TestApp, provider_key: &str) -> String {
    format!("{}/api/auth/oidc/{provider_key}/callback", app.public_url())
}

/// An app, an admin with a shared org, and the org's provider (`example.com` joins as developer).
async fn org_with_provider() -> Option<OrgSso> {
    let Some(modules) = oidc_modules() else {
        provider_missing();
        return None;
    };
    let dns = DnsServer::start();
    let app = spawn_app_with(|config| {
        config.auth.domain_verification.name_servers = vec![dns.address];
    })
    .await;
    let admin = app.register(ADMIN.email, PASSWORD).await;
    let (status, org) = app
        .api(&admin.access_token)
        .create_org(json!({ "name": "Acme" }))
        .await;
    assert_eq!(status, 201, "{org}");
    let org = org["id"].as_str().expect("org id").to_owned();
    let provider = OidcProvider::start(
        &modules,
        &[callback(&app, &org)],
        &[ALICE, BOB, CAROL, DAVE, ADMIN],
    );
    let body = configure_provider(&app, &admin.access_token, &org, &provider, &["example.com"]).await;
    assert!(body.get("client_secret").is_none(), "{body}");
    assert_eq!(body["redirect_uri"], callback(&app, &org));
    Some(OrgSso {
        app,
        provider,
        admin,
        org,
        dns,
    })
}

/// Claims `domain` for `org`, publishes its challenge in `dns` and verifies it, as an admin does.
async fn prove_domain(app: &TestApp, dns: &DnsServer, admin: &str, org: &str, domain: &str) {
    let (status, claimed) = app
        .call(
            "POST",
            admin,
            &format!("/api/orgs/{org}/domains"),
            Some(json!({ "domain": domain })),
        )
        .await;
    assert_eq!(status, 201, "{claimed}");
    assert_eq!(claimed["verified"], false);
    let verify = format!("/api/orgs/{org}/domains/{domain}/verify");
    let (status, refused) = app.call("POST", admin, &verify, None).await;
    assert_eq!((status, code(&refused)), (409, "domain_unverified"), "{refused}");
    dns.publish_txt(
        claimed["txt_record"]["name"].as_str().expect("record name"),
        claimed["txt_record"]["value"].as_str().expect("record value"),
    );
    let (status, verified) = app.call("POST", admin, &verify, None).await;
    assert_eq!(
        (status, verified["verified"].as_bool()),
        (200, Some(true)),
        "{verified}"
    );
}

/// `GET …/start`: the provider's authorization URL.
async fn start(app: &TestApp, provider_key: &str, redirect: Option<&str>) -> String {
    let mut path = format!("/api/auth/oidc/{provider_key}/start");
    if let Some(redirect) = redirect {
        path = format!("{path}?redirect={}", urlencode(redirect));
    }
    let response = app.get(&path).await;
    assert_eq!(
        response.status(),
        302,
        "{}",
        response.text().await.unwrap_or_default()
    );
    response
        .headers()
        .get("location")
        .and_then(|location| location.to_str().ok())
        .expect("location")
        .to_owned()
}

fn urlencode(raw: &str) -> String {
    raw.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (byte as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn query_param(url: &str, name: &str) -> String {
    url.split_once('?')
        .map(|(_, query)| query)
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("{name} in {url}"))
        .to_owned()
}

/// The callback URL the provider sends the browser to, as a path on the test app.
async fn provider_answer(
    app: &TestApp,
    provider_key: &str,
    authorization_url: &str,
    account: &str,
) -> String {
    let back = sign_in_at_provider(authorization_url, account, &callback(app, provider_key)).await;
    back.strip_prefix(app.public_url())
        .expect("callback on this app")
        .to_owned()
}

async fn get_json(app: &TestApp, path: &str) -> (u16, Value) {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A whole sign-in through `provider_key` as `account`: the callback's answer.
async fn sign_in(app: &TestApp, provider_key: &str, account: &str) -> (u16, Value) {
    let authorization = start(app, provider_key, None).await;
    let answer = provider_answer(app, provider_key, &authorization, account).await;
    get_json(app, &answer).await
}

fn code(body: &Value) -> &str {
    body["code"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn an_org_provider_creates_links_or_refuses_accounts_by_what_it_asserts() {
    let Some(OrgSso {
        app,
        provider,
        admin,
        org,
        dns,
    }) = org_with_provider().await
    else {
        return;
    };
    let bob = app.register(BOB.email, PASSWORD).await;
    let carol = app.register(CAROL.email, PASSWORD).await;

    // A new person: an account with a verified email, a personal org, and the org as developer.
    let (status, alice) = sign_in(&app, &org, "alice").await;
    assert_eq!(status, 200, "{alice}");
    let token = alice["access_token"].as_str().expect("tokens").to_owned();
    let (status, me) = app.api(&token).me().await;
    assert_eq!(status, 200);
    assert_eq!(
        (me["email"].as_str(), me["email_verified"].as_bool()),
        (Some(ALICE.email), Some(true))
    );
    let (_, members) = app.api(&admin.access_token).members(&org).await;
    let alice_member = members["items"]
        .as_array()
        .expect("members")
        .iter()
        .find(|member| member["email"] == ALICE.email)
        .expect("alice joined");
    assert_eq!(alice_member["role"], "developer");
    let (status, orgs) = app.api(&token).orgs().await;
    assert_eq!(
        (status, orgs["items"].as_array().map(Vec::len)),
        (200, Some(2)),
        "{orgs}"
    );
    // Signing in again finds the same account through its link.
    let (_, again) = sign_in(&app, &org, "alice").await;
    let (_, me_again) = app
        .api(again["access_token"].as_str().expect("tokens"))
        .me()
        .await;
    assert_eq!(me_again["id"], me["id"]);

    // An existing account is never handed over on the org provider's word alone: the org's admins
    // run that provider and could assert anyone's email.
    let (status, refused) = sign_in(&app, &org, "bob").await;
    assert_eq!((status, code(&refused)), (403, "sso_account_exists"), "{refused}");
    assert_eq!(
        app.query_i64("SELECT COUNT(*) FROM sso_identities WHERE subject = 'bob'")
            .await,
        0
    );
    // Once the org proves it controls the email's domain, its provider links the account.
    prove_domain(&app, &dns, &admin.access_token, &org, "example.com").await;
    let (status, linked) = sign_in(&app, &org, "bob").await;
    assert_eq!(status, 200, "{linked}");
    let (_, bob_me) = app
        .api(linked["access_token"].as_str().expect("tokens"))
        .me()
        .await;
    assert_eq!(bob_me["id"].as_str(), Some(bob.user_id.as_str()));

    // An email the provider does not assert as verified is never linked.
    let (status, refused) = sign_in(&app, &org, "carol").await;
    assert_eq!(
        (status, code(&refused)),
        (403, "sso_email_unverified"),
        "{refused}"
    );
    let (_, carol_orgs) = app.api(&carol.access_token).orgs().await;
    assert_eq!(carol_orgs["items"].as_array().map(Vec::len), Some(1));
    // A domain the provider does not sign in.
    let (status, refused) = sign_in(&app, &org, "dave").await;
    assert_eq!(
        (status, code(&refused)),
        (403, "sso_domain_not_allowed"),
        "{refused}"
    );
    assert_eq!(
        app.query_i64("SELECT COUNT(*) FROM users WHERE email = 'dave@elsewhere.org'")
            .await,
        0
    );

    // The client secret never comes back, and is not stored in the clear.
    let (status, shown) = app
        .api(&admin.access_token)
        .get(&format!("/api/orgs/{org}/sso"))
        .await;
    assert_eq!(status, 200);
    assert!(!shown.to_string().contains(&provider.client_secret), "{shown}");
    let stored = app
        .query_i64(&format!(
            "SELECT COUNT(*) FROM sso_providers WHERE client_id LIKE '%{0}%' OR issuer LIKE '%{0}%' OR allowed_domains LIKE '%{0}%'",
            provider.client_secret
        ))
        .await;
    assert_eq!(stored, 0);
    let (_, audit) = app.api(&admin.access_token).audit_log(&org).await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|entry| entry["action"].as_str())
        .collect();
    assert!(actions.contains(&"org.sso_configured"), "{actions:?}");
    assert!(actions.contains(&"member.added"), "{actions:?}");
}

#[tokio::test]
async fn forged_replayed_and_tampered_answers_are_refused() {
    let Some(OrgSso {
        app, provider, org, ..
    }) = org_with_provider().await
    else {
        return;
    };
    let first = start(&app, &org, None).await;
    assert_eq!(query_param(&first, "code_challenge_method"), "S256");
    assert!(!query_param(&first, "nonce").is_empty());
    let answer = provider_answer(&app, &org, &first, "alice").await;
    let answer_code = query_param(&answer, "code");
    let answer_state = query_param(&answer, "state");

    // Without the PKCE verifier the provider redeems no code: an intercepted code is worthless.
    let refused = reqwest::Client::new()
        .post(format!("{}/token", provider.issuer))
        .basic_auth(&provider.client_id, Some(&provider.client_secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", answer_code.as_str()),
            ("redirect_uri", callback(&app, &org).as_str()),
        ])
        .send()
        .await
        .expect("token endpoint");
    assert_eq!(refused.status(), 400);
    let refused: Value = refused.json().await.expect("json");
    assert_eq!(refused["error"], "invalid_grant");

    // A state this install never issued.
    let (status, body) = get_json(
        &app,
        &format!("/api/auth/oidc/{org}/callback?state=forged&code={answer_code}"),
    )
    .await;
    assert_eq!((status, code(&body)), (401, "sso_state_invalid"), "{body}");
    // The code of one sign-in under the state of another: redeemed with the other's PKCE verifier,
    // which the provider refuses.
    let second = start(&app, &org, None).await;
    let second_state = query_param(&second, "state");
    let (status, body) = get_json(
        &app,
        &format!("/api/auth/oidc/{org}/callback?state={second_state}&code={answer_code}"),
    )
    .await;
    assert_eq!((status, code(&body)), (401, "sso_failed"), "{body}");
    // Its own state and verifier: accepted.
    let (status, body) = get_json(&app, &answer).await;
    assert_eq!(status, 200, "{body}");
    // The same answer again: the state is spent.
    let (status, body) = get_json(&app, &answer).await;
    assert_eq!((status, code(&body)), (401, "sso_state_invalid"), "{body}");
    // The spent code under a fresh state: the provider refuses a replayed code.
    let third = start(&app, &org, None).await;
    let third_state = query_param(&third, "state");
    let (status, body) = get_json(
        &app,
        &format!("/api/auth/oidc/{org}/callback?state={third_state}&code={answer_code}"),
    )
    .await;
    assert_eq!((status, code(&body)), (401, "sso_failed"), "{body}");
    assert_ne!(answer_state, third_state);

    for mode in [
        "wrong_nonce",
        "expired",
        "unknown_key",
        "alg_none",
        "wrong_audience",
    ] {
        provider.tamper(mode).await;
        let (status, body) = sign_in(&app, &org, "alice").await;
        assert_eq!((status, code(&body)), (401, "sso_failed"), "{mode}: {body}");
        assert!(body.get("access_token").is_none());
    }
    provider.tamper("none").await;
    let (status, body) = sign_in(&app, &org, "alice").await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_key_rotation_at_the_provider_is_followed_without_restart() {
    let Some(OrgSso {
        app, provider, org, ..
    }) = org_with_provider().await
    else {
        return;
    };
    let (status, body) = sign_in(&app, &org, "alice").await;
    assert_eq!(status, 200, "{body}");
    provider.rotate_keys().await;
    let (status, body) = sign_in(&app, &org, "alice").await;
    assert_eq!(status, 200, "signed with the new key: {body}");
    // A key nobody publishes is still refused after the refetch.
    provider.tamper("unknown_key").await;
    let (status, body) = sign_in(&app, &org, "alice").await;
    assert_eq!((status, code(&body)), (401, "sso_failed"), "{body}");
}

#[tokio::test]
async fn an_install_provider_redirects_only_where_allowed_with_a_single_use_code() {
    let Some(modules) = oidc_modules() else {
        provider_missing();
        return;
    };
    let public_url = "http://127.0.0.1:8080";
    let provider = OidcProvider::start(
        &modules,
        &[format!("{public_url}/api/auth/oidc/corp/callback")],
        &[ALICE],
    );
    let (issuer, client_id, client_secret) = (
        provider.issuer.clone(),
        provider.client_id.clone(),
        provider.client_secret.clone(),
    );
    let app = spawn_app_with(move |config| {
        config.auth.public_url = Some(public_url.into());
        config.auth.oidc.redirect_allow_list = vec!["http://console.example.com/app".into()];
        config.auth.oidc.providers = vec![tenantry::config::OidcProviderConfig {
            name: "corp".into(),
            issuer,
            client_id,
            client_secret: client_secret.into(),
            allowed_domains: vec![],
        }];
    })
    .await;

    for refused in [
        "https://evil.example.com/",
        "//evil.example.com/x",
        "http://console.example.com/appendix",
        "http://console.example.com.evil.io/app",
    ] {
        let response = app
            .get(&format!(
                "/api/auth/oidc/corp/start?redirect={}",
                urlencode(refused)
            ))
            .await;
        assert_eq!(response.status(), 422, "{refused}");
    }
    let (status, _) = get_json(&app, "/api/auth/oidc/nobody/start").await;
    assert_eq!(status, 404);

    let authorization = start(&app, "corp", Some("http://console.example.com/app/after?tab=1")).await;
    let answer = provider_answer(&app, "corp", &authorization, "alice").await;
    let response = app.get(&answer).await;
    assert_eq!(response.status(), 302);
    let location = response
        .headers()
        .get("location")
        .and_then(|location| location.to_str().ok())
        .expect("location")
        .to_owned();
    assert!(
        location.starts_with("http://console.example.com/app/after?tab=1&sso_code="),
        "{location}"
    );
    let sso_code = query_param(&location, "sso_code");
    let exchange = |code: String| {
        let app = &app;
        async move {
            let response = app
                .post_json("/api/auth/oidc/exchange", &json!({ "code": code }))
                .await;
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, tokens) = exchange(sso_code.clone()).await;
    assert_eq!(status, 200, "{tokens}");
    let (status, me) = app
        .api(tokens["access_token"].as_str().expect("tokens"))
        .me()
        .await;
    assert_eq!((status, me["email"].as_str()), (200, Some(ALICE.email)));
    let (status, again) = exchange(sso_code).await;
    assert_eq!((status, code(&again)), (401, "invalid_sso_code"), "{again}");
}

#[tokio::test]
async fn org_policies_require_mfa_and_sso_and_keep_members_to_allowed_domains() {
    let Some(OrgSso {
        app,
        org,
        admin,
        provider: _provider,
        dns,
    }) = org_with_provider().await
    else {
        return;
    };
    prove_domain(&app, &dns, &admin.access_token, &org, "example.com").await;
    let member = app.register("member@example.com", PASSWORD).await;
    let (status, body) = app
        .api(&admin.access_token)
        .add_member(
            &org,
            json!({ "email": "member@example.com", "role": "developer" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let policy_path = format!("/api/orgs/{org}/policy");
    let put_policy = |token: String, body: Value| {
        let (app, path) = (&app, policy_path.clone());
        async move { app.call("PUT", &token, &path, Some(body)).await }
    };
    let policy = |mfa: bool, sso: bool| json!({ "require_mfa": mfa, "require_sso": sso, "allowed_email_domains": ["example.com"] });

    // Nobody requires what would shut them out.
    let (status, body) = put_policy(admin.access_token.clone(), policy(true, false)).await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = put_policy(member.access_token.clone(), policy(false, false)).await;
    assert_eq!(status, 403, "developers do not set policies");
    early_in_a_step().await;
    let admin_mfa = enrol(&app, &admin.access_token).await;
    let (status, body) = put_policy(admin.access_token.clone(), policy(true, false)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["allowed_email_domains"], json!(["example.com"]));

    // require_mfa: the member is shut out of the org (not of their own) until they enrol.
    let members_path = format!("/api/orgs/{org}/members");
    let conversations_path = format!("/api/orgs/{org}/conversations");
    for path in [&members_path, &conversations_path] {
        let (status, body) = app.api(&member.access_token).get(path).await;
        assert_eq!((status, code(&body)), (403, "mfa_required"), "{path}: {body}");
    }
    let (status, _) = app
        .api(&member.access_token)
        .get(&format!("/api/orgs/{}/members", member.org_id))
        .await;
    assert_eq!(status, 200);
    enrol(&app, &member.access_token).await;
    for path in [&members_path, &conversations_path] {
        let (status, body) = app.api(&member.access_token).get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
    }

    // allowed_email_domains: adds and invitations outside them are refused.
    let outsider = app.register("outsider@elsewhere.org", PASSWORD).await;
    let (status, body) = app
        .api(&admin.access_token)
        .add_member(
            &org,
            json!({ "email": "outsider@elsewhere.org", "role": "viewer" }),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = app
        .api(&admin.access_token)
        .invite(
            &org,
            json!({ "email": "someone@elsewhere.org", "role": "viewer" }),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = app
        .api(&admin.access_token)
        .invite(&org, json!({ "email": "someone@example.com", "role": "viewer" }))
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, outsider_orgs) = app.api(&outsider.access_token).orgs().await;
    assert_eq!(outsider_orgs["items"].as_array().map(Vec::len), Some(1));

    // require_sso needs the admin signed in through SSO; the admin has MFA, so SSO asks for it too.
    let (status, body) = put_policy(admin.access_token.clone(), policy(true, true)).await;
    assert_eq!(status, 422, "{body}");
    let (status, challenge) = sign_in(&app, &org, "admin").await;
    assert_eq!(
        (status, challenge["mfa_required"].as_bool()),
        (200, Some(true)),
        "{challenge}"
    );
    let response = app
        .post_json(
            "/api/auth/mfa/verify",
            &json!({
                "mfa_token": challenge["mfa_token"],
                "code": hotp(&admin_mfa.key, admin_mfa.confirmed_step + 1, 6),
            }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.expect("json");
    let sso_token = tokens["access_token"].as_str().expect("tokens").to_owned();
    let (status, body) = put_policy(sso_token.clone(), policy(true, true)).await;
    assert_eq!(status, 200, "{body}");

    // require_sso: password sessions are shut out, SSO sessions are not.
    let (status, body) = app.api(&admin.access_token).get(&members_path).await;
    assert_eq!((status, code(&body)), (403, "sso_required"), "{body}");
    let (status, body) = app.api(&member.access_token).get(&conversations_path).await;
    assert_eq!((status, code(&body)), (403, "sso_required"), "{body}");
    let (status, body) = app.api(&sso_token).get(&members_path).await;
    assert_eq!(status, 200, "{body}");
    let (status, audit) = app.api(&sso_token).audit_log(&org).await;
    assert_eq!(status, 200);
    assert!(audit.to_string().contains("org.policy_updated"));
    // The provider stays while the org requires it.
    let (status, body) = app
        .call("DELETE", &sso_token, &format!("/api/orgs/{org}/sso"), None)
        .await;
    assert_eq!((status, code(&body)), (409, "sso_required"), "{body}");
}

#[tokio::test]
async fn concurrent_callbacks_take_a_state_once_and_create_one_account() {
    let Some(OrgSso {
        app,
        org,
        admin,
        provider: _provider,
        ..
    }) = org_with_provider().await
    else {
        return;
    };
    // One answer delivered five times at once: exactly one sign-in.
    let authorization = start(&app, &org, None).await;
    let answer = provider_answer(&app, &org, &authorization, "alice").await;
    let replies = futures::future::join_all((0..5).map(|_| get_json(&app, &answer))).await;
    let statuses: Vec<u16> = replies.iter().map(|(status, _)| *status).collect();
    assert_eq!(
        statuses.iter().filter(|status| **status == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|status| **status == 401).count(),
        4,
        "{statuses:?}"
    );

    // A new person finishing four sign-ins at once: one account, one link, one membership.
    let mut answers = Vec::new();
    for _ in 0..4 {
        let authorization = start(&app, &org, None).await;
        answers.push(provider_answer(&app, &org, &authorization, "bob").await);
    }
    let replies = futures::future::join_all(answers.iter().map(|answer| get_json(&app, answer))).await;
    let mut ids = std::collections::BTreeSet::new();
    for (status, body) in &replies {
        assert_eq!(*status, 200, "{body}");
        let (_, me) = app.api(body["access_token"].as_str().expect("tokens")).me().await;
        ids.insert(me["id"].as_str().expect("id").to_owned());
    }
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(
        app.query_i64("SELECT COUNT(*) FROM users WHERE email = 'bob@example.com'")
            .await,
        1
    );
    assert_eq!(
        app.query_i64("SELECT COUNT(*) FROM sso_identities WHERE subject = 'bob'")
            .await,
        1
    );
    let (_, members) = app.api(&admin.access_token).members(&org).await;
    let bobs = members["items"]
        .as_array()
        .expect("members")
        .iter()
        .filter(|member| member["email"] == BOB.email)
        .count();
    assert_eq!(bobs, 1);
}

/// Configures `provider` as `org`'s own (its admin `token`), letting `domains` sign in and join as
/// developers; the provider as shown.
async fn configure_provider(
    app: &TestApp,
    token: &str,
    org: &str,
    provider: &OidcProvider,
    domains: &[&str],
) -> Value {
    let (status, body) = app
        .call(
            "PUT",
            token,
            &format!("/api/orgs/{org}/sso"),
            Some(json!({
                "issuer": provider.issuer,
                "client_id": provider.client_id,
                "client_secret": provider.client_secret,
                "allowed_domains": domains,
                "default_role": "developer",
            })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// A registered user's own shared org: its id.
async fn own_org(app: &TestApp, session: &Session, name: &str) -> String {
    let (status, org) = app
        .api(&session.access_token)
        .create_org(json!({ "name": name }))
        .await;
    assert_eq!(status, 201, "{org}");
    org["id"].as_str().expect("org id").to_owned()
}

#[tokio::test]
async fn an_org_provider_run_by_anyone_cannot_take_over_an_existing_account() {
    let Some(OrgSso { app, dns, .. }) = org_with_provider().await else {
        return;
    };
    let Some(modules) = oidc_modules() else {
        return;
    };
    let victim = app.register(BOB.email, PASSWORD).await;
    // Any registered user makes an org and points its provider at an issuer they run, which
    // asserts the victim's email as verified.
    let attacker = app.register("mallory@attacker.example", PASSWORD).await;
    let evil = own_org(&app, &attacker, "Evil").await;
    let rogue = OidcProvider::start(&modules, &[callback(&app, &evil)], &[BOB]);
    configure_provider(&app, &attacker.access_token, &evil, &rogue, &[]).await;

    let (status, refused) = sign_in(&app, &evil, "bob").await;
    assert_eq!((status, code(&refused)), (403, "sso_account_exists"), "{refused}");
    // Claiming the victim's domain proves nothing without its DNS.
    let (status, _) = app
        .call(
            "POST",
            &attacker.access_token,
            &format!("/api/orgs/{evil}/domains"),
            Some(json!({ "domain": "example.com" })),
        )
        .await;
    assert_eq!(status, 201);
    let (status, refused) = app
        .call(
            "POST",
            &attacker.access_token,
            &format!("/api/orgs/{evil}/domains/example.com/verify"),
            None,
        )
        .await;
    assert_eq!((status, code(&refused)), (409, "domain_unverified"), "{refused}");
    let (status, refused) = sign_in(&app, &evil, "bob").await;
    assert_eq!((status, code(&refused)), (403, "sso_account_exists"), "{refused}");
    assert_eq!(
        app.query_i64("SELECT COUNT(*) FROM sso_identities WHERE subject = 'bob'")
            .await,
        0,
        "the victim's account is not linked"
    );
    // Another org's challenge record does not prove this org's claim.
    dns.publish_txt(
        "_tenantry-challenge.example.com",
        "tenantry-domain-verification=guess",
    );
    let (status, _) = app
        .call(
            "POST",
            &attacker.access_token,
            &format!("/api/orgs/{evil}/domains/example.com/verify"),
            None,
        )
        .await;
    assert_eq!(status, 409);
    // Only admins manage an org's domains.
    let (status, _) = app
        .call(
            "GET",
            &victim.access_token,
            &format!("/api/orgs/{evil}/domains"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    // New accounts are still created through the attacker's provider: they belong to nobody else.
    let rogue_new = OidcProvider::start(&modules, &[callback(&app, &evil)], &[DAVE]);
    configure_provider(&app, &attacker.access_token, &evil, &rogue_new, &[]).await;
    let (status, created) = sign_in(&app, &evil, "dave").await;
    assert_eq!(status, 200, "{created}");
}

#[tokio::test]
async fn require_sso_trusts_only_the_orgs_own_provider() {
    let Some(OrgSso {
        app,
        dns,
        admin,
        org,
        provider: _provider,
    }) = org_with_provider().await
    else {
        return;
    };
    let Some(modules) = oidc_modules() else {
        return;
    };
    prove_domain(&app, &dns, &admin.access_token, &org, "example.com").await;
    let (status, admin_sso) = sign_in(&app, &org, "admin").await;
    assert_eq!(status, 200, "{admin_sso}");
    let admin_sso = admin_sso["access_token"].as_str().expect("tokens").to_owned();
    // A member whose own domain is theirs to prove.
    let member = app.register("mallory@mallory.example", PASSWORD).await;
    let (status, _) = app
        .api(&admin.access_token)
        .add_member(
            &org,
            json!({ "email": "mallory@mallory.example", "role": "developer" }),
        )
        .await;
    assert_eq!(status, 201);
    let (status, body) = app
        .call(
            "PUT",
            &admin_sso,
            &format!("/api/orgs/{org}/policy"),
            Some(json!({ "require_mfa": false, "require_sso": true })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let members_path = format!("/api/orgs/{org}/members");
    let (status, refused) = app.api(&member.access_token).get(&members_path).await;
    assert_eq!((status, code(&refused)), (403, "sso_required"), "{refused}");

    // The member runs a provider for an org of their own, proves their own domain there, and
    // signs in through it: a real SSO session, but not one the first org trusts.
    let side = own_org(&app, &member, "Side").await;
    const MALLORY: Account<'static> = Account {
        sub: "mallory",
        email: "mallory@mallory.example",
        email_verified: true,
    };
    let own_provider = OidcProvider::start(&modules, &[callback(&app, &side)], &[MALLORY]);
    configure_provider(&app, &member.access_token, &side, &own_provider, &[]).await;
    prove_domain(&app, &dns, &member.access_token, &side, "mallory.example").await;
    let (status, side_sso) = sign_in(&app, &side, "mallory").await;
    assert_eq!(status, 200, "{side_sso}");
    let side_sso = side_sso["access_token"].as_str().expect("tokens").to_owned();
    let (status, me) = app.api(&side_sso).me().await;
    assert_eq!((status, me["id"].as_str()), (200, Some(member.user_id.as_str())));
    let (status, refused) = app.api(&side_sso).get(&members_path).await;
    assert_eq!((status, code(&refused)), (403, "sso_required"), "{refused}");
    let (status, _) = app.api(&side_sso).get(&format!("/api/orgs/{side}/members")).await;
    assert_eq!(status, 200, "the provider's own org trusts it");
    let (status, body) = app.api(&admin_sso).get(&members_path).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_password_reset_drops_sso_links_made_since_the_account_last_proved_itself() {
    let Some(OrgSso {
        app,
        dns,
        admin,
        org,
        provider: _provider,
    }) = org_with_provider().await
    else {
        return;
    };
    prove_domain(&app, &dns, &admin.access_token, &org, "example.com").await;
    app.register(BOB.email, PASSWORD).await;
    let links = || app.query_i64("SELECT COUNT(*) FROM sso_identities WHERE subject = 'bob'");
    let reset = |new_password: &'static str, mails: usize| {
        let app = &app;
        async move {
            app.post_json("/api/auth/password-reset/request", &json!({ "email": BOB.email }))
                .await;
            let token = crate::support::token_in_mail(&app.wait_for_mail(BOB.email, mails).await[mails - 1]);
            let response = app
                .post_json(
                    "/api/auth/password-reset",
                    &json!({ "token": token, "new_password": new_password }),
                )
                .await;
            assert_eq!(response.status(), 204);
        }
    };
    // A link made after the account's last password sign-in goes with a reset.
    let (status, _) = sign_in(&app, &org, "bob").await;
    assert_eq!(status, 200);
    assert_eq!(links().await, 1);
    reset("a brand new passphrase", 1).await;
    assert_eq!(links().await, 0);
    // A link the owner confirmed since (by signing in with the password afterwards) stays.
    let (status, _) = sign_in(&app, &org, "bob").await;
    assert_eq!(status, 200);
    assert_eq!(app.login(BOB.email, "a brand new passphrase").await.0, 200);
    reset("yet another passphrase here", 2).await;
    assert_eq!(links().await, 1);
}

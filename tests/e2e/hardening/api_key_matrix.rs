//! Every authenticated route × an API key of the route's org and an API key of another org. The key
//! belongs to the org's owner, so its role never limits it: what is tested is how far a key reaches.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{PASSWORD, api_key, id, shared_org};
use crate::support::{Session, TestApp, spawn_app};

/// What one cell needs: a shared org with a developer, a conversation, a pending invitation, a
/// secret and a second API key, all owned by the key's user.
struct Scene {
    org: String,
    developer: Session,
    conversation: String,
    invitation: String,
    other_key_id: String,
    sandbox: String,
    outsider_email: String,
}

struct Row {
    method: &'static str,
    path: &'static str,
    body: fn(&Scene) -> Option<Value>,
    /// With an API key of the route's org, with an API key of another org.
    expected: [u16; 2],
}

fn no_body(_: &Scene) -> Option<Value> {
    None
}

fn rows() -> Vec<Row> {
    let row = |method, path, body, this, other| Row {
        method,
        path,
        body,
        expected: [this, other],
    };
    vec![
        // The account: only its person acts for it.
        row("POST", "/api/auth/logout-all", no_body, 403, 403),
        // Signing a device in mints a key: a person's act.
        row(
            "POST",
            "/api/oauth/device/decisions",
            |scene| Some(json!({ "user_code": "BBBB-BBBB", "org_id": scene.org, "approve": true })),
            403,
            403,
        ),
        row("GET", "/api/auth/me", no_body, 200, 200),
        row(
            "PATCH",
            "/api/auth/me",
            |_| Some(json!({ "name": "Renamed by a key" })),
            403,
            403,
        ),
        row("GET", "/api/auth/sessions", no_body, 403, 403),
        row(
            "DELETE",
            "/api/auth/sessions/00000000-0000-0000-0000-000000000000",
            no_body,
            403,
            403,
        ),
        row("POST", "/api/auth/mfa/totp/setup", no_body, 403, 403),
        row(
            "POST",
            "/api/auth/mfa/totp/confirm",
            |_| Some(json!({ "code": "123456" })),
            403,
            403,
        ),
        row(
            "DELETE",
            "/api/auth/mfa",
            |_| Some(json!({ "password": PASSWORD, "code": "123456" })),
            403,
            403,
        ),
        row("GET", "/api/auth/users/me", no_body, 200, 200),
        row(
            "POST",
            "/api/auth/password",
            |_| Some(json!({ "current_password": PASSWORD, "new_password": "a brand new passphrase" })),
            403,
            403,
        ),
        row("POST", "/api/auth/verify-email/request", no_body, 202, 202),
        row(
            "POST",
            "/api/invitations/accept",
            |_| Some(json!({ "token": "not-a-real-token-but-long-enough-0000000000" })),
            403,
            403,
        ),
        row(
            "POST",
            "/api/invitations/preview",
            |_| Some(json!({ "token": "not-a-real-token-but-long-enough-0000000000" })),
            403,
            403,
        ),
        // The operator API is a superadmin's own act, never a key's.
        row("GET", "/api/admin/users", no_body, 403, 403),
        row("GET", "/api/admin/orgs", no_body, 403, 403),
        row("GET", "/api/admin/usage", no_body, 403, 403),
        row("POST", "/api/admin/users/{developer}/disable", no_body, 403, 403),
        row("POST", "/api/admin/users/{developer}/enable", no_body, 403, 403),
        row(
            "POST",
            "/api/admin/users/{developer}/superadmin",
            no_body,
            403,
            403,
        ),
        row(
            "DELETE",
            "/api/admin/users/{developer}/superadmin",
            no_body,
            403,
            403,
        ),
        row("GET", "/api/user/settings", no_body, 200, 200),
        row(
            "PATCH",
            "/api/user/settings",
            |_| Some(json!({ "language": "de" })),
            403,
            403,
        ),
        // Orgs.
        row("GET", "/api/orgs", no_body, 200, 200),
        row(
            "POST",
            "/api/orgs",
            |_| Some(json!({ "name": "Made by a key" })),
            403,
            403,
        ),
        row("GET", "/api/orgs/{org}", no_body, 200, 404),
        row(
            "PATCH",
            "/api/orgs/{org}",
            |_| Some(json!({ "contact_name": "Ops" })),
            200,
            404,
        ),
        row("DELETE", "/api/orgs/{org}", no_body, 403, 404),
        row("POST", "/api/orgs/{org}/switch", no_body, 403, 404),
        row(
            "POST",
            "/api/orgs/{org}/transfer",
            |scene| Some(json!({ "user_id": scene.developer.user_id })),
            403,
            404,
        ),
        row("GET", "/api/orgs/{org}/audit-log", no_body, 200, 404),
        row("GET", "/api/orgs/{org}/export", no_body, 200, 404),
        // Buying is a person's act; the balance is org data.
        row(
            "POST",
            "/api/orgs/{org}/billing/checkout",
            |_| Some(json!({ "amount": 10 })),
            403,
            404,
        ),
        row("GET", "/api/orgs/{org}/billing", no_body, 200, 404),
        row("GET", "/api/orgs/{org}/budget", no_body, 200, 404),
        row(
            "PUT",
            "/api/orgs/{org}/budget",
            |_| Some(json!({ "monthly_budget": 100 })),
            200,
            404,
        ),
        row("GET", "/api/orgs/{org}/usage", no_body, 200, 404),
        // Sign-in settings are a person's act.
        row("GET", "/api/orgs/{org}/sso", no_body, 403, 404),
        row(
            "PUT",
            "/api/orgs/{org}/sso",
            |_| {
                Some(json!({
                    "issuer": "https://login.example.com",
                    "client_id": "tenantry",
                    "client_secret": "s3cret",
                    "default_role": "viewer",
                }))
            },
            403,
            404,
        ),
        row("DELETE", "/api/orgs/{org}/sso", no_body, 403, 404),
        row("GET", "/api/orgs/{org}/domains", no_body, 403, 404),
        row(
            "POST",
            "/api/orgs/{org}/domains",
            |_| Some(json!({ "domain": "example.com" })),
            403,
            404,
        ),
        row(
            "POST",
            "/api/orgs/{org}/domains/example.com/verify",
            no_body,
            403,
            404,
        ),
        row("DELETE", "/api/orgs/{org}/domains/example.com", no_body, 403, 404),
        row("GET", "/api/orgs/{org}/policy", no_body, 403, 404),
        row(
            "PUT",
            "/api/orgs/{org}/policy",
            |_| Some(json!({ "require_mfa": false, "require_sso": false })),
            403,
            404,
        ),
        // Members and invitations.
        row("GET", "/api/orgs/{org}/members", no_body, 200, 404),
        row(
            "POST",
            "/api/orgs/{org}/members",
            |scene| Some(json!({ "email": scene.outsider_email, "role": "viewer" })),
            201,
            404,
        ),
        row(
            "PATCH",
            "/api/orgs/{org}/members/{developer}",
            |_| Some(json!({ "role": "viewer" })),
            200,
            404,
        ),
        row("DELETE", "/api/orgs/{org}/members/{developer}", no_body, 204, 404),
        row("GET", "/api/orgs/{org}/invitations", no_body, 200, 404),
        row(
            "POST",
            "/api/orgs/{org}/invitations",
            |_| Some(json!({ "email": "invitee@example.com", "role": "developer" })),
            201,
            404,
        ),
        row(
            "POST",
            "/api/orgs/{org}/invitations/{invitation}/resend",
            no_body,
            201,
            404,
        ),
        row(
            "DELETE",
            "/api/orgs/{org}/invitations/{invitation}",
            no_body,
            204,
            404,
        ),
        // API keys: a key never mints keys (it would outlive its own revocation).
        row("GET", "/api/orgs/{org}/api-keys", no_body, 200, 404),
        row(
            "POST",
            "/api/orgs/{org}/api-keys",
            |_| Some(json!({ "name": "minted" })),
            403,
            404,
        ),
        row("DELETE", "/api/orgs/{org}/api-keys/{key}", no_body, 204, 404),
        // Secrets and settings.
        row("GET", "/api/orgs/{org}/secrets", no_body, 200, 404),
        row(
            "PUT",
            "/api/orgs/{org}/secrets/DEPLOY_TOKEN",
            |_| Some(json!({ "value": "v", "scope": "org" })),
            200,
            404,
        ),
        row(
            "DELETE",
            "/api/orgs/{org}/secrets/EXISTING?scope=org",
            no_body,
            204,
            404,
        ),
        row("GET", "/api/orgs/{org}/settings", no_body, 200, 404),
        row(
            "PATCH",
            "/api/orgs/{org}/settings",
            |_| Some(json!({ "max_iterations": 50 })),
            200,
            404,
        ),
        row("GET", "/api/orgs/{org}/settings/effective", no_body, 200, 404),
        row("GET", "/api/orgs/{org}/settings/me", no_body, 200, 404),
        row(
            "PATCH",
            "/api/orgs/{org}/settings/me",
            |_| Some(json!({ "max_iterations": 20 })),
            200,
            404,
        ),
        // Conversations.
        row("GET", "/api/orgs/{org}/conversations", no_body, 200, 404),
        row(
            "POST",
            "/api/orgs/{org}/conversations",
            |_| Some(json!({ "title": "by key" })),
            201,
            404,
        ),
        row(
            "GET",
            "/api/orgs/{org}/conversations/{conversation}",
            no_body,
            200,
            404,
        ),
        row(
            "PATCH",
            "/api/orgs/{org}/conversations/{conversation}",
            |_| Some(json!({ "title": "renamed" })),
            200,
            404,
        ),
        row(
            "DELETE",
            "/api/orgs/{org}/conversations/{conversation}",
            no_body,
            204,
            404,
        ),
        row(
            "GET",
            "/api/orgs/{org}/conversations/{conversation}/events",
            no_body,
            200,
            404,
        ),
        row(
            "POST",
            "/api/orgs/{org}/conversations/{conversation}/events",
            |_| Some(json!([{ "kind": "MessageEvent" }])),
            201,
            404,
        ),
        // Live streams, tickets, share links, reassignment.
        row("GET", "/api/orgs/{org}/conversations/stream", no_body, 200, 404),
        row(
            "GET",
            "/api/orgs/{org}/conversations/{conversation}/events/stream",
            no_body,
            200,
            404,
        ),
        row(
            "POST",
            "/api/orgs/{org}/conversations/{conversation}/events/stream-ticket",
            no_body,
            403,
            403,
        ),
        row(
            "POST",
            "/api/orgs/{org}/conversations/{conversation}/reassign",
            |scene| Some(json!({ "user_id": scene.developer.user_id })),
            200,
            404,
        ),
        row(
            "POST",
            "/api/orgs/{org}/conversations/{conversation}/shares",
            |_| Some(json!({})),
            403,
            403,
        ),
        row(
            "GET",
            "/api/orgs/{org}/conversations/{conversation}/shares",
            no_body,
            200,
            404,
        ),
        row(
            "DELETE",
            "/api/orgs/{org}/conversations/{conversation}/shares/00000000-0000-0000-0000-000000000000",
            no_body,
            404,
            404,
        ),
        row(
            "GET",
            "/api/orgs/{org}/conversations/{conversation}/runtime-secrets",
            no_body,
            200,
            404,
        ),
        row(
            "POST",
            "/api/orgs/{org}/conversations/{conversation}/usage",
            |_| Some(json!({ "cost": 0.5, "prompt_tokens": 10, "completion_tokens": 5 })),
            200,
            404,
        ),
        // Sandboxes: registering one is org work an automation may do.
        row("GET", "/api/orgs/{org}/sandboxes", no_body, 200, 404),
        row(
            "POST",
            "/api/orgs/{org}/sandboxes",
            |_| Some(json!({ "name": "by key" })),
            201,
            404,
        ),
        row("GET", "/api/orgs/{org}/sandboxes/{sandbox}", no_body, 200, 404),
        row("GET", "/api/orgs/{org}/sandbox-specs", no_body, 200, 404),
        // The scene's sandbox is registered: pausing and resuming are refused, but the key reaches it.
        row(
            "POST",
            "/api/orgs/{org}/sandboxes/{sandbox}/pause",
            no_body,
            409,
            404,
        ),
        row(
            "POST",
            "/api/orgs/{org}/sandboxes/{sandbox}/resume",
            no_body,
            409,
            404,
        ),
        row("DELETE", "/api/orgs/{org}/sandboxes/{sandbox}", no_body, 204, 404),
        // Steering needs an agent server: the scene's conversation has none (409), but the key
        // reaches it.
        row(
            "POST",
            "/api/orgs/{org}/conversations/{conversation}/messages",
            |_| Some(json!({ "text": "hello" })),
            409,
            404,
        ),
        row(
            "POST",
            "/api/orgs/{org}/conversations/{conversation}/pause",
            no_body,
            409,
            404,
        ),
        row(
            "POST",
            "/api/orgs/{org}/conversations/{conversation}/resume",
            no_body,
            409,
            404,
        ),
        // The team aliases.
        row("GET", "/api/teams", no_body, 200, 200),
        row(
            "POST",
            "/api/teams",
            |_| Some(json!({ "name": "Team by key" })),
            403,
            403,
        ),
        row("GET", "/api/teams/{org}", no_body, 200, 404),
        row(
            "POST",
            "/api/teams/{org}/members",
            |scene| Some(json!({ "email": scene.outsider_email, "role": "viewer" })),
            201,
            404,
        ),
    ]
}

async fn scene(app: &TestApp, owner: &Session, n: usize) -> Scene {
    let org = shared_org(app, owner, &format!("Keys {n}")).await;
    let developer_email = format!("dev{n}.keys@example.com");
    let developer = app.register(&developer_email, PASSWORD).await;
    let outsider_email = format!("out{n}.keys@example.com");
    app.register(&outsider_email, PASSWORD).await;
    let call = |method: &'static str, path: String, body: Value| {
        let token = owner.access_token.clone();
        async move {
            let (status, body) = app.call(method, &token, &path, Some(body)).await;
            assert!(status < 300, "{method} {path}: {status} {body}");
            body
        }
    };
    call(
        "POST",
        format!("/api/orgs/{org}/members"),
        json!({ "email": developer_email, "role": "developer" }),
    )
    .await;
    let conversation = id(&call("POST", format!("/api/orgs/{org}/conversations"), json!({})).await);
    let invitation = id(&call(
        "POST",
        format!("/api/orgs/{org}/invitations"),
        json!({ "email": "pending@example.com", "role": "viewer" }),
    )
    .await);
    call(
        "PUT",
        format!("/api/orgs/{org}/secrets/EXISTING"),
        json!({ "value": "x", "scope": "org" }),
    )
    .await;
    let other_key_id = id(&call(
        "POST",
        format!("/api/orgs/{org}/api-keys"),
        json!({ "name": "another" }),
    )
    .await);
    let sandbox = id(&call(
        "POST",
        format!("/api/orgs/{org}/sandboxes"),
        json!({ "name": "existing" }),
    )
    .await);
    Scene {
        org,
        developer,
        conversation,
        invitation,
        other_key_id,
        sandbox,
        outsider_email,
    }
}

#[tokio::test]
async fn api_keys_reach_their_own_org_only_and_never_act_for_the_account() {
    let app = spawn_app().await;
    let owner = app.register("owner.keys@example.com", PASSWORD).await;
    let foreign_key = api_key(&app, &owner, &owner.org_id).await;
    let mut failures = Vec::new();
    for (n, row) in rows().iter().enumerate() {
        let scene = scene(&app, &owner, n).await;
        let own_key = api_key(&app, &owner, &scene.org).await;
        let path = row
            .path
            .replace("{org}", &scene.org)
            .replace("{developer}", &scene.developer.user_id)
            .replace("{conversation}", &scene.conversation)
            .replace("{invitation}", &scene.invitation)
            .replace("{key}", &scene.other_key_id)
            .replace("{sandbox}", &scene.sandbox);
        // The foreign key first: it must change nothing the own key's cell depends on.
        for (column, key) in [(1, &foreign_key), (0, &own_key)] {
            let (status, body) = if path.ends_with("/stream") {
                // A stream that opens never ends: its status is the answer.
                (app.get_as(key, &path).await.status().as_u16(), Value::Null)
            } else {
                app.call(row.method, key, &path, (row.body)(&scene)).await
            };
            let expected = row.expected[column];
            let label = ["key of this org", "key of another org"][column];
            if status != expected {
                failures.push(format!(
                    "{} {} with {label}: expected {expected}, got {status} {body}",
                    row.method, row.path
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "API key matrix mismatches:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn the_matrix_covers_every_authenticated_route_of_the_contract() {
    let app = spawn_app().await;
    let spec: Value = app.get("/api/openapi.json").await.json().await.expect("spec");
    let mut documented = BTreeSet::new();
    for (path, operations) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in operations.as_object().expect("operations") {
            let anonymous = operation["security"] == json!([{}]);
            // Agent servers' webhooks take a sandbox's session key, never a bearer token.
            let sandbox_key = operation["security"] == json!([{ "session_key": [] }]);
            if !anonymous && !sandbox_key && path.starts_with("/api/") {
                let path = path
                    .replace("{org_id}", "{org}")
                    .replace("{team_id}", "{org}")
                    .replace("{user_id}", "{developer}")
                    .replace("/conversations/{id}", "/conversations/{conversation}")
                    .replace("/invitations/{id}", "/invitations/{invitation}")
                    .replace("/api-keys/{id}", "/api-keys/{key}")
                    .replace("/sandboxes/{id}", "/sandboxes/{sandbox}")
                    .replace("/secrets/{name}", "/secrets/*")
                    .replace("/shares/{share_id}", "/shares/*")
                    .replace("/domains/{domain}", "/domains/*")
                    .replace("/api/auth/sessions/{id}", "/api/auth/sessions/*")
                    .replace("/api/admin/users/{id}", "/api/admin/users/{developer}");
                documented.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let covered: BTreeSet<String> = rows()
        .iter()
        .map(|row| {
            let path = row
                .path
                .replace("/secrets/DEPLOY_TOKEN", "/secrets/*")
                .replace("/secrets/EXISTING?scope=org", "/secrets/*")
                .replace("/shares/00000000-0000-0000-0000-000000000000", "/shares/*")
                .replace("/domains/example.com", "/domains/*")
                .replace(
                    "/api/auth/sessions/00000000-0000-0000-0000-000000000000",
                    "/api/auth/sessions/*",
                );
            format!("{} {path}", row.method)
        })
        .collect();
    let missing: Vec<&String> = documented.difference(&covered).collect();
    assert!(missing.is_empty(), "routes without an API key row: {missing:?}");
}

#[tokio::test]
async fn a_key_lists_only_its_own_org_and_cannot_join_another() {
    let app = spawn_app().await;
    let owner = app.register("lister.keys@example.com", PASSWORD).await;
    let org = shared_org(&app, &owner, "Listed").await;
    let key = api_key(&app, &owner, &org).await;
    for path in ["/api/orgs", "/api/teams"] {
        let (status, body) = app.call("GET", &key, path, None).await;
        assert_eq!(status, 200);
        let ids: Vec<&str> = body["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|org| org["id"].as_str())
            .collect();
        assert_eq!(ids, vec![org.as_str()], "{path}");
    }

    // An invitation into another org, addressed to the key's user, cannot be accepted with the key.
    let inviter = app.register("inviter.keys@example.com", PASSWORD).await;
    let other = shared_org(&app, &inviter, "Elsewhere").await;
    let (status, _) = app
        .api(&inviter.access_token)
        .invite(
            &other,
            json!({ "email": "lister.keys@example.com", "role": "developer" }),
        )
        .await;
    assert_eq!(status, 201);
    let token = crate::support::token_in_mail(&app.mail_to("lister.keys@example.com")[0]);
    let (status, _) = app.api(&key).accept_invitation(json!({ "token": token })).await;
    assert_eq!(status, 403, "joining an org is the person's act");
    let (_, members) = app.api(&inviter.access_token).members(&other).await;
    assert!(
        !members.to_string().contains(&owner.user_id),
        "the key's user did not join: {members}"
    );
    let (status, _) = app
        .api(&owner.access_token)
        .accept_invitation(json!({ "token": token }))
        .await;
    assert_eq!(status, 200, "the person can still accept it");
}

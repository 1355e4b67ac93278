//! Every org route × every role → the expected status.

use serde_json::{Value, json};

use crate::support::spawn_app;
use crate::support::{org_with_cast, register_cast};

const ROLES: [&str; 5] = ["owner", "admin", "developer", "viewer", "none"];

struct Row {
    method: &'static str,
    path: &'static str,
    body: fn(&crate::support::Cast) -> Option<Value>,
    expected: [u16; 5],
}

fn no_body(_: &crate::support::Cast) -> Option<Value> {
    None
}

fn sso_provider_body() -> Value {
    json!({
        "issuer": "https://login.example.com/realms/acme",
        "client_id": "tenantry",
        "client_secret": "s3cret",
        "allowed_domains": ["example.com"],
        "default_role": "developer",
    })
}

fn rows() -> Vec<Row> {
    vec![
        Row {
            method: "GET",
            path: "/api/orgs/{org}",
            body: no_body,
            expected: [200, 200, 200, 200, 404],
        },
        Row {
            method: "PATCH",
            path: "/api/orgs/{org}",
            body: |cast| Some(json!({ "name": format!("renamed {}", cast.org) })),
            expected: [200, 200, 403, 403, 404],
        },
        Row {
            method: "DELETE",
            path: "/api/orgs/{org}",
            body: no_body,
            expected: [204, 403, 403, 403, 404],
        },
        Row {
            method: "POST",
            path: "/api/orgs/{org}/switch",
            body: no_body,
            expected: [200, 200, 200, 200, 404],
        },
        Row {
            method: "POST",
            path: "/api/orgs/{org}/transfer",
            body: |cast| Some(json!({ "user_id": cast.developer.user_id })),
            expected: [200, 403, 403, 403, 404],
        },
        Row {
            method: "GET",
            path: "/api/orgs/{org}/members",
            body: no_body,
            expected: [200, 200, 200, 200, 404],
        },
        Row {
            method: "POST",
            path: "/api/orgs/{org}/members",
            body: |cast| Some(json!({ "email": cast.outsider_email, "role": "viewer" })),
            expected: [201, 201, 403, 403, 404],
        },
        Row {
            method: "PATCH",
            path: "/api/orgs/{org}/members/{developer}",
            body: |_| Some(json!({ "role": "viewer" })),
            expected: [200, 200, 403, 403, 404],
        },
        // The developer removing themself is leaving, which anyone may do.
        Row {
            method: "DELETE",
            path: "/api/orgs/{org}/members/{developer}",
            body: no_body,
            expected: [204, 204, 204, 403, 404],
        },
        Row {
            method: "POST",
            path: "/api/orgs/{org}/invitations",
            body: |_| Some(json!({ "email": "invitee@example.com", "role": "developer" })),
            expected: [201, 201, 403, 403, 404],
        },
        Row {
            method: "GET",
            path: "/api/orgs/{org}/invitations",
            body: no_body,
            expected: [200, 200, 403, 403, 404],
        },
        Row {
            method: "DELETE",
            path: "/api/orgs/{org}/invitations/{invitation}",
            body: no_body,
            expected: [204, 204, 403, 403, 404],
        },
        Row {
            method: "GET",
            path: "/api/orgs/{org}/audit-log",
            body: no_body,
            expected: [200, 200, 403, 403, 404],
        },
        Row {
            method: "GET",
            path: "/api/orgs/{org}/export",
            body: no_body,
            expected: [200, 403, 403, 403, 404],
        },
        Row {
            method: "PUT",
            path: "/api/orgs/{org}/sso",
            body: |_| Some(sso_provider_body()),
            expected: [200, 200, 403, 403, 404],
        },
        Row {
            // Allowed to ask; there is no provider yet.
            method: "GET",
            path: "/api/orgs/{org}/sso",
            body: no_body,
            expected: [404, 404, 403, 403, 404],
        },
        Row {
            method: "DELETE",
            path: "/api/orgs/{org}/sso",
            body: no_body,
            expected: [404, 404, 403, 403, 404],
        },
        Row {
            // No payment provider in the test configuration: the owner gets that far.
            method: "POST",
            path: "/api/orgs/{org}/billing/checkout",
            body: |_| Some(json!({ "amount": 10 })),
            expected: [409, 403, 403, 403, 404],
        },
        Row {
            method: "GET",
            path: "/api/orgs/{org}/billing",
            body: no_body,
            expected: [200, 200, 403, 403, 404],
        },
        Row {
            method: "GET",
            path: "/api/orgs/{org}/budget",
            body: no_body,
            expected: [200, 200, 403, 403, 404],
        },
        Row {
            method: "PUT",
            path: "/api/orgs/{org}/budget",
            body: |_| Some(json!({ "monthly_budget": 100, "max_budget_per_task": 5 })),
            expected: [200, 200, 403, 403, 404],
        },
        Row {
            method: "GET",
            path: "/api/orgs/{org}/usage?period=2026-11",
            body: no_body,
            expected: [200, 200, 403, 403, 404],
        },
        Row {
            method: "GET",
            path: "/api/orgs/{org}/policy",
            body: no_body,
            expected: [200, 200, 403, 403, 404],
        },
        Row {
            method: "PUT",
            path: "/api/orgs/{org}/policy",
            body: |_| {
                Some(
                    json!({ "require_mfa": false, "require_sso": false, "allowed_email_domains": ["example.com"] }),
                )
            },
            expected: [200, 200, 403, 403, 404],
        },
    ]
}

#[tokio::test]
async fn every_org_route_answers_every_role_as_the_contract_says() {
    let app = spawn_app().await;
    let users = register_cast(&app, "matrix").await;
    let mut failures = Vec::new();
    for (row_index, row) in rows().iter().enumerate() {
        for (role_index, role) in ROLES.iter().enumerate() {
            // A fresh org per cell: mutations in one cell cannot influence another.
            let cast = org_with_cast(
                &app,
                &users,
                "matrix",
                &format!("Matrix {row_index}-{role_index}"),
            )
            .await;
            let (_, invitation) = app
                .api(&cast.owner.access_token)
                .invite(
                    &cast.org,
                    json!({ "email": "pending@example.com", "role": "viewer" }),
                )
                .await;
            let path = row
                .path
                .replace("{org}", &cast.org)
                .replace("{developer}", &cast.developer.user_id)
                .replace("{invitation}", invitation["id"].as_str().expect("invitation id"));
            let token = cast.as_role(role).access_token.clone();
            let (status, body) = app.call(row.method, &token, &path, (row.body)(&cast)).await;
            let expected = row.expected[role_index];
            if status != expected {
                failures.push(format!(
                    "{} {} as {role}: expected {expected}, got {status} {body}",
                    row.method, row.path
                ));
            }
            if status >= 400 {
                let code = body["code"].as_str().unwrap_or_default();
                let expected_code = match status {
                    403 => "forbidden",
                    404 => "not_found",
                    _ => code,
                };
                if code != expected_code {
                    failures.push(format!("{} {} as {role}: code {code}", row.method, row.path));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix mismatches:\n{}",
        failures.join("\n")
    );
}

//! The operator API (`/api/admin/…`): superadmins only, across the install.

use std::{collections::HashSet, time::Duration};

use serde_json::{Value, json};

use crate::identity::mfa::enrol;
use crate::support::{PASSWORD, spawn_app, spawn_app_with};

fn emails(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|user| user["email"].as_str().expect("email").to_owned())
        .collect()
}

#[tokio::test]
async fn only_superadmins_reach_the_operator_api_and_no_org_role_implies_it() {
    let app = spawn_app().await;
    let operator = app.register("op.ops@example.com", PASSWORD).await;
    let owner = app.register("owner.ops@example.com", PASSWORD).await;
    let (_, org) = app
        .api(&owner.access_token)
        .create_org(json!({ "name": "Owned Corp" }))
        .await;
    assert!(org["id"].is_string());
    let victim = &operator.user_id;
    let routes = [
        ("GET", "/api/admin/users".to_owned()),
        ("GET", "/api/admin/orgs".to_owned()),
        ("GET", "/api/admin/usage".to_owned()),
        ("POST", format!("/api/admin/users/{victim}/disable")),
        ("POST", format!("/api/admin/users/{victim}/enable")),
        ("POST", format!("/api/admin/users/{}/superadmin", owner.user_id)),
        ("DELETE", format!("/api/admin/users/{victim}/superadmin")),
    ];
    for (method, path) in &routes {
        let (status, problem) = app.call(method, &owner.access_token, path, None).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (403, Some("superadmin_required")),
            "an org owner is not an operator: {method} {path}"
        );
    }
    // A superadmin's API key acts in its org only, never as the operator.
    let (_, key) = app
        .api(&operator.access_token)
        .create_api_key(&operator.org_id, json!({ "name": "ops" }))
        .await;
    let key = key["key"].as_str().expect("key");
    assert_eq!(app.call("GET", key, "/api/admin/users", None).await.0, 403);
    // Nothing changed.
    let (status, page) = app
        .call("GET", &operator.access_token, "/api/admin/users", None)
        .await;
    assert_eq!(status, 200, "{page}");
    let users = page["items"].as_array().expect("items");
    assert!(users.iter().all(|user| user["disabled"] == false));
    assert_eq!(
        users.iter().filter(|user| user["is_superadmin"] == true).count(),
        1
    );
    assert!(users.iter().all(|user| user.get("password_hash").is_none()));
}

#[tokio::test]
async fn operators_search_and_page_accounts_and_see_orgs_with_members_and_spending() {
    let app = spawn_app().await;
    let operator = app.register("root.ops@example.com", PASSWORD).await;
    for n in 0..5 {
        app.register(&format!("Person{n}.Search@Example.com"), PASSWORD)
            .await;
    }
    let other = app.register("someone.else@example.org", PASSWORD).await;
    let op = operator.access_token.as_str();

    let (_, found) = app.call("GET", op, "/api/admin/users?q=SEARCH", None).await;
    assert_eq!(emails(&found).len(), 5, "any case, in the email: {found}");
    let (_, found) = app.call("GET", op, "/api/admin/users?q=100%25", None).await;
    assert!(
        emails(&found).is_empty(),
        "% is a character, not a wildcard: {found}"
    );

    // Pages of two join up without gaps or repeats, oldest first.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/api/admin/users?limit=2&cursor={cursor}"),
            None => "/api/admin/users?limit=2".to_owned(),
        };
        let (status, page) = app.call("GET", op, &path, None).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(emails(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 7);
    assert_eq!(seen[0], "root.ops@example.com");

    // Disabled accounts, and only them.
    let (status, disabled) = app
        .call(
            "POST",
            op,
            &format!("/api/admin/users/{}/disable", other.user_id),
            None,
        )
        .await;
    assert_eq!(
        (status, disabled["disabled"].as_bool()),
        (200, Some(true)),
        "{disabled}"
    );
    let (_, page) = app.call("GET", op, "/api/admin/users?disabled=true", None).await;
    assert_eq!(emails(&page), ["someone.else@example.org"]);
    let (_, page) = app.call("GET", op, "/api/admin/users?disabled=false", None).await;
    assert_eq!(emails(&page).len(), 6);

    // Orgs: members and this month's spending.
    let (_, org) = app.api(op).create_org(json!({ "name": "Spending Corp" })).await;
    let org_id = org["id"].as_str().expect("id").to_owned();
    let (_, conversation) = app.api(op).create_conversation(&org_id, json!({})).await;
    let conversation = conversation["id"].as_str().expect("id").to_owned();
    let (status, _) = app
        .api(op)
        .add_usage(
            &org_id,
            &conversation,
            json!({ "prompt_tokens": 10, "completion_tokens": 5, "cost": 2.5 }),
        )
        .await;
    assert_eq!(status, 200);
    let (_, orgs) = app.call("GET", op, "/api/admin/orgs?q=spending", None).await;
    let items = orgs["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{orgs}");
    assert_eq!(items[0]["name"], "Spending Corp");
    assert_eq!(items[0]["member_count"], 1);
    assert_eq!(items[0]["month_spend_micros"], 2_500_000);
    assert_eq!(items[0]["personal"], false);
    let (_, all) = app.call("GET", op, "/api/admin/orgs?limit=100", None).await;
    assert_eq!(
        all["items"].as_array().expect("items").len(),
        8,
        "seven personal orgs and one shared"
    );

    let (status, usage) = app.call("GET", op, "/api/admin/usage", None).await;
    assert_eq!(status, 200, "{usage}");
    assert_eq!(usage["total_cost_micros"], 2_500_000);
    assert_eq!(usage["by_org"][0]["name"], "Spending Corp");
    let (status, _) = app.call("GET", op, "/api/admin/usage?period=2026-13", None).await;
    assert_eq!(status, 422);
    let (_, past) = app.call("GET", op, "/api/admin/usage?period=2001-01", None).await;
    assert_eq!(past["by_org"], json!([]));
}

#[tokio::test]
async fn a_disabled_account_stops_at_its_next_request_and_the_operator_is_on_record() {
    let app = spawn_app().await;
    let operator = app.register("chief.ops@example.com", PASSWORD).await;
    let member = app.register("member.ops@example.com", PASSWORD).await;
    let op = operator.access_token.as_str();
    let disable = format!("/api/admin/users/{}/disable", member.user_id);

    assert_eq!(app.api(&member.access_token).me().await.0, 200);
    assert_eq!(app.call("POST", op, &disable, None).await.0, 200);
    assert_eq!(app.api(&member.access_token).me().await.0, 401, "at once");
    assert_eq!(app.login("member.ops@example.com", PASSWORD).await.0, 401);
    let (status, problem) = app
        .call(
            "POST",
            op,
            &format!("/api/admin/users/{}/disable", operator.user_id),
            None,
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("cannot_disable_self"))
    );

    let (status, enabled) = app
        .call(
            "POST",
            op,
            &format!("/api/admin/users/{}/enable", member.user_id),
            None,
        )
        .await;
    assert_eq!((status, enabled["disabled"].as_bool()), (200, Some(false)));
    let (status, again) = app.login("member.ops@example.com", PASSWORD).await;
    assert_eq!(status, 200, "{again}");
    let fresh = again["access_token"].as_str().expect("token");
    let (_, log) = app.api(fresh).audit_log(&member.org_id).await;
    let actions: Vec<(&str, &str, &str)> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|entry| {
            (
                entry["action"].as_str().unwrap_or(""),
                entry["actor_id"].as_str().unwrap_or(""),
                entry["detail"]["via"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let me = operator.user_id.as_str();
    assert!(actions.contains(&("user.disabled", me, "operator_api")), "{log}");
    assert!(actions.contains(&("user.enabled", me, "operator_api")), "{log}");

    // Superadmins: granted, revoked; the last one stays.
    let grant = format!("/api/admin/users/{}/superadmin", member.user_id);
    let (status, granted) = app.call("POST", op, &grant, None).await;
    assert_eq!((status, granted["is_superadmin"].as_bool()), (200, Some(true)));
    let (status, revoked) = app
        .call(
            "DELETE",
            fresh,
            &format!("/api/admin/users/{}/superadmin", operator.user_id),
            None,
        )
        .await;
    assert_eq!(
        (status, revoked["is_superadmin"].as_bool()),
        (200, Some(false)),
        "{revoked}"
    );
    let (status, problem) = app
        .call(
            "DELETE",
            fresh,
            &format!("/api/admin/users/{}/superadmin", member.user_id),
            None,
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("last_superadmin")),
        "{problem}"
    );
    assert_eq!(
        app.call("GET", op, "/api/admin/users", None).await.0,
        403,
        "no longer an operator"
    );
    let (status, _) = app
        .call(
            "POST",
            fresh,
            "/api/admin/users/00000000-0000-0000-0000-000000000000/disable",
            None,
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn an_operator_with_mfa_acts_only_from_a_fresh_sign_in() {
    let app = spawn_app_with(|config| config.auth.operator_fresh_sign_in_secs = 2).await;
    let operator = app.register("mfa.ops@example.com", PASSWORD).await;
    let enrolled = enrol(&app, &operator.access_token).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (status, problem) = app
        .call("GET", &operator.access_token, "/api/admin/users", None)
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (403, Some("reauthentication_required")),
        "{problem}"
    );
    assert!(
        problem["detail"].as_str().unwrap_or("").contains("Sign in again"),
        "{problem}"
    );
    let (_, step) = app.login("mfa.ops@example.com", PASSWORD).await;
    let mfa_token = step["mfa_token"].as_str().expect("mfa step");
    let response = app
        .post_json(
            "/api/auth/mfa/verify",
            &json!({ "mfa_token": mfa_token, "recovery_code": enrolled.recovery_codes[0] }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.expect("tokens");
    let fresh = tokens["access_token"].as_str().expect("token");
    assert_eq!(app.call("GET", fresh, "/api/admin/users", None).await.0, 200);
}

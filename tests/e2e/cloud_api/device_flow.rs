//! The OAuth 2.0 device authorization grant (RFC 8628) as OpenHands' `CloudClient` runs it: a
//! device asks for codes, a person approves the code for one of their orgs, and exactly one poll
//! gets an API key of that person in that org.

use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApp, spawn_app};

async fn authorize(app: &TestApp) -> Value {
    let response = app
        .client
        .post(app.url("/oauth/device/authorize"))
        .json(&json!({}))
        .send()
        .await
        .expect("authorize");
    assert_eq!(response.status(), 200);
    response.json().await.expect("codes")
}

async fn poll(app: &TestApp, device_code: &str) -> (u16, Value) {
    let response = app
        .client
        .post(app.url("/oauth/device/token"))
        .form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", device_code),
        ])
        .send()
        .await
        .expect("token");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_device_approved_by_a_person_gets_one_key_in_the_chosen_org() {
    let app = spawn_app().await;
    let ann = app.register("ann.device@example.com", PASSWORD).await;
    let org = ann.org_id.clone();
    let codes = authorize(&app).await;
    let device_code = codes["device_code"].as_str().expect("device code").to_owned();
    let user_code = codes["user_code"].as_str().expect("user code").to_owned();
    assert_eq!(codes["verification_uri"], format!("{}/device", app.public_url()));
    assert_eq!(
        (codes["interval"].as_i64(), codes["expires_in"].as_i64()),
        (Some(5), Some(600))
    );

    let (status, pending) = poll(&app, &device_code).await;
    assert_eq!(
        (status, pending["error"].as_str()),
        (400, Some("authorization_pending")),
        "{pending}"
    );
    let (_, hurried) = poll(&app, &device_code).await;
    assert_eq!(hurried["error"], "slow_down");

    // Only a signed-in person may decide; an API key may not, nor may an unknown code pass.
    let (_, key) = app
        .api(&ann.access_token)
        .create_api_key(&org, json!({ "name": "a key" }))
        .await;
    let decision =
        |code: &str, approve: bool| json!({ "user_code": code, "org_id": org, "approve": approve });
    let (status, _) = app
        .call(
            "POST",
            key["key"].as_str().expect("key"),
            "/api/oauth/device/decisions",
            Some(decision(&user_code, true)),
        )
        .await;
    assert_eq!(status, 403, "an API key cannot sign devices in");
    let (status, _) = app
        .call(
            "POST",
            &ann.access_token,
            "/api/oauth/device/decisions",
            Some(decision("BBBB-BBBB", true)),
        )
        .await;
    assert_eq!(status, 404);
    let typed = user_code.to_lowercase().replace('-', " ");
    let (status, body) = app
        .call(
            "POST",
            &ann.access_token,
            "/api/oauth/device/decisions",
            Some(decision(&typed, true)),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, _) = app
        .call(
            "POST",
            &ann.access_token,
            "/api/oauth/device/decisions",
            Some(decision(&user_code, false)),
        )
        .await;
    assert_eq!(status, 404, "a decided code cannot be decided again");

    // Eight polls at once: one gets the key, the others invalid_grant.
    let polls = (0..8).map(|_| poll(&app, &device_code));
    let answers = futures::future::join_all(polls).await;
    let granted: Vec<&Value> = answers
        .iter()
        .filter(|(status, _)| *status == 200)
        .map(|(_, body)| body)
        .collect();
    assert_eq!(granted.len(), 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(status, _)| *status != 200) {
        assert_eq!(
            (*status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{body}"
        );
    }
    let token = granted[0]["access_token"].as_str().expect("access token");
    assert_eq!(granted[0]["token_type"], "Bearer");
    let response = app
        .client
        .get(app.url("/api/keys/current"))
        .bearer_auth(token)
        .send()
        .await
        .expect("current");
    let current: Value = response.json().await.expect("key");
    assert_eq!(current["org_id"], org.as_str());
    assert_eq!(current["user_id"], ann.user_id.as_str());
    assert!(
        current["name"]
            .as_str()
            .is_some_and(|name| name.contains(&user_code))
    );
    let (_, again) = poll(&app, &device_code).await;
    assert_eq!(again["error"], "invalid_grant");

    // A denied code says so; nonsense is refused.
    let denied = authorize(&app).await;
    let code = denied["user_code"].as_str().expect("user code");
    let (status, _) = app
        .call(
            "POST",
            &ann.access_token,
            "/api/oauth/device/decisions",
            Some(decision(code, false)),
        )
        .await;
    assert_eq!(status, 204);
    let (_, refused) = poll(&app, denied["device_code"].as_str().expect("device code")).await;
    assert_eq!(refused["error"], "access_denied");
    let (_, unknown) = poll(&app, "not-a-device-code").await;
    assert_eq!(unknown["error"], "invalid_grant");
    let response = app
        .client
        .post(app.url("/oauth/device/token"))
        .form(&[("grant_type", "password"), ("device_code", "x")])
        .send()
        .await
        .expect("token");
    let body: Value = response.json().await.expect("error");
    assert_eq!(body["error"], "unsupported_grant_type");

    // The console's approval page is served.
    let page = app
        .client
        .get(app.url(&format!("/device?user_code={user_code}")))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
}

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode, get_current_timestamp};
use serde_json::{Value, json};

use super::PASSWORD;
use crate::support::{TEST_JWT_SECRET, TestApp, spawn_app};

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64")).expect("json")
}

fn sign(claims: &Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()),
    )
    .expect("sign")
}

async fn status_with(app: &TestApp, token: &str) -> u16 {
    app.get_as(token, "/api/auth/me").await.status().as_u16()
}

#[tokio::test]
async fn only_untampered_tokens_are_accepted() {
    let app = spawn_app().await;
    let session = app.register("erin@example.com", PASSWORD).await;
    let token = session.access_token.clone();
    assert_eq!(status_with(&app, &token).await, 200);
    let claims = claims_of(&token);
    let [header, payload, signature]: [&str; 3] = token
        .split('.')
        .collect::<Vec<_>>()
        .try_into()
        .expect("three parts");

    // Re-signing the unchanged claims with the right key proves the forging helper is sound.
    assert_eq!(status_with(&app, &sign(&claims)).await, 200);

    let mut edited = claims.clone();
    edited["sub"] = json!(uuid::Uuid::now_v7().to_string());
    let edited_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&edited).expect("json"));
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let now = get_current_timestamp();
    let with = |key: &str, value: Value| {
        let mut changed = claims.clone();
        changed[key] = value;
        sign(&changed)
    };
    let forged = [
        (
            "edited claims, original signature",
            format!("{header}.{edited_payload}.{signature}"),
        ),
        ("alg none", format!("{none_header}.{payload}.")),
        ("stripped signature", format!("{header}.{payload}.")),
        ("no signature part", format!("{header}.{payload}")),
        ("wrong audience", with("aud", json!("someone-else"))),
        ("wrong issuer", with("iss", json!("evil"))),
        ("expired", with("exp", json!(now - 120))),
        ("not yet valid", with("nbf", json!(now + 600))),
        ("issued in the future", with("iat", json!(now + 600))),
        ("stale epoch", with("ep", json!(7))),
        ("garbage", "not-a-token".to_owned()),
    ];
    for (what, token) in forged {
        assert_eq!(status_with(&app, &token).await, 401, "{what}");
    }

    let missing_exp = {
        let mut changed = claims.clone();
        changed.as_object_mut().expect("object").remove("exp");
        sign(&changed)
    };
    assert_eq!(status_with(&app, &missing_exp).await, 401, "missing exp");

    let other_algorithm = encode(
        &Header::new(Algorithm::HS512),
        &claims,
        &EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()),
    )
    .expect("sign");
    assert_eq!(
        status_with(&app, &other_algorithm).await,
        401,
        "HS512 instead of the pinned HS256"
    );
}

#[tokio::test]
async fn requests_without_credentials_are_401_with_a_challenge() {
    let app = spawn_app().await;
    let response = app.get("/api/auth/me").await;
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["code"], "unauthorized");

    let basic = app
        .client
        .get(app.url("/api/auth/me"))
        .header("Authorization", "Basic YTpi")
        .send()
        .await
        .expect("request");
    assert_eq!(basic.status(), 401);
}

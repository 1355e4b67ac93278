//! TOTP two-factor sign-in, checked with an independent RFC 6238 implementation: enrolment, the
//! second step, replay and window edges, recovery codes, throttling, concurrency, turning it off.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};

use crate::support::{TestApp, spawn_app};

const PASSWORD: &str = "correct horse battery staple";

/// RFC 6238 / RFC 4226 dynamic truncation over HMAC-SHA-1, `digits` digits.
pub(super) fn hotp(key: &[u8], counter: u64, digits: u32) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key).expect("key");
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let binary = (u32::from(hash[offset] & 0x7f) << 24)
        | (u32::from(hash[offset + 1]) << 16)
        | (u32::from(hash[offset + 2]) << 8)
        | u32::from(hash[offset + 3]);
    format!("{:0width$}", binary % 10_u32.pow(digits), width = digits as usize)
}

fn now_step() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("time")
        .as_secs()
        / 30
}

/// Waits until a fresh 30 s step has begun when fewer than 8 s of the current one are left, so
/// the steps a test computes stay where it expects them.
pub(crate) async fn early_in_a_step() {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("time")
        .as_secs_f64();
    let left = 30.0 - secs % 30.0;
    if left < 8.0 {
        tokio::time::sleep(Duration::from_secs_f64(left + 0.2)).await;
    }
}

#[test]
fn the_independent_implementation_matches_rfc_6238() {
    let key = b"12345678901234567890";
    for (time, code) in [
        (59_u64, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ] {
        assert_eq!(hotp(key, time / 30, 8), code, "t = {time}");
    }
}

pub(crate) struct Enrolled {
    pub(crate) key: Vec<u8>,
    pub(crate) recovery_codes: Vec<String>,
    pub(crate) confirmed_step: u64,
}

pub(crate) async fn enrol(app: &TestApp, token: &str) -> Enrolled {
    let (status, setup) = app.call("POST", token, "/api/auth/mfa/totp/setup", None).await;
    assert_eq!(status, 200, "{setup}");
    let secret = setup["secret"].as_str().expect("secret");
    let uri = setup["otpauth_uri"].as_str().expect("uri");
    assert!(uri.starts_with("otpauth://totp/Tenantry:"), "{uri}");
    assert!(
        uri.contains(&format!("secret={secret}")) && uri.contains("issuer=Tenantry"),
        "{uri}"
    );
    assert!(
        setup["qr_code"]
            .as_str()
            .expect("qr")
            .starts_with("data:image/svg+xml;base64,")
    );
    let key = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, secret).expect("base32");
    assert_eq!(key.len(), 20, "160-bit secret");

    let (status, wrong) = app
        .call(
            "POST",
            token,
            "/api/auth/mfa/totp/confirm",
            Some(json!({ "code": "000000" })),
        )
        .await;
    // (one in a million: 000000 may be right)
    assert_eq!(status, 422, "{wrong}");
    let step = now_step();
    let (status, confirmed) = app
        .call(
            "POST",
            token,
            "/api/auth/mfa/totp/confirm",
            Some(json!({ "code": hotp(&key, step, 6) })),
        )
        .await;
    assert_eq!(status, 200, "{confirmed}");
    let recovery_codes: Vec<String> = confirmed["recovery_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|code| code.as_str().expect("code").to_owned())
        .collect();
    assert_eq!(recovery_codes.len(), 10);
    let (status, again) = app.call("POST", token, "/api/auth/mfa/totp/setup", None).await;
    assert_eq!((status, again["code"].as_str()), (409, Some("mfa_enabled")));
    Enrolled {
        key,
        recovery_codes,
        confirmed_step: step,
    }
}

async fn mfa_token(app: &TestApp, email: &str) -> String {
    let (status, body) = app.login(email, PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["mfa_required"], true, "{body}");
    assert!(
        body.get("access_token").is_none(),
        "no tokens before the second step"
    );
    body["mfa_token"].as_str().expect("mfa token").to_owned()
}

async fn verify(app: &TestApp, body: Value) -> (u16, Value) {
    let response = app.post_json("/api/auth/mfa/verify", &body).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_user_with_totp_signs_in_with_a_fresh_code_once() {
    early_in_a_step().await;
    let app = spawn_app().await;
    let user = app.register("mfa@example.com", PASSWORD).await;
    let (_, me) = app.api(&user.access_token).me().await;
    assert_eq!(me["mfa_enabled"], false);
    let enrolled = enrol(&app, &user.access_token).await;
    let (_, me) = app.api(&user.access_token).me().await;
    assert_eq!(me["mfa_enabled"], true);
    let (_, members) = app.api(&user.access_token).members(&user.org_id).await;
    assert_eq!(members["items"][0]["mfa_enabled"], true);
    let (_, audit) = app.api(&user.access_token).audit_log(&user.org_id).await;
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "user.mfa_enabled")
    );

    let token = mfa_token(&app, "mfa@example.com").await;
    // The token is good for nothing else.
    let (status, _) = app.api(&token).me().await;
    assert_eq!(status, 401);
    let key = &enrolled.key;
    let s = enrolled.confirmed_step;
    // The confirming code was used; two steps away is outside the window.
    let (status, body) = verify(&app, json!({ "mfa_token": token, "code": hotp(key, s, 6) })).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("mfa_code_reused")),
        "{body}"
    );
    for outside in [s + 2, s - 2] {
        let (status, _) = verify(&app, json!({ "mfa_token": token, "code": hotp(key, outside, 6) })).await;
        assert_eq!(status, 401, "step {outside} is outside the window");
    }
    let (status, tokens) = verify(&app, json!({ "mfa_token": token, "code": hotp(key, s + 1, 6) })).await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().expect("access token");
    let (status, _) = app.api(access).me().await;
    assert_eq!(status, 200);
    // The token was spent, and the code too.
    let (status, _) = verify(&app, json!({ "mfa_token": token, "code": hotp(key, s + 1, 6) })).await;
    assert_eq!(status, 401);
    let second = mfa_token(&app, "mfa@example.com").await;
    let (status, body) = verify(&app, json!({ "mfa_token": second, "code": hotp(key, s + 1, 6) })).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("mfa_code_reused")),
        "{body}"
    );
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or("")
            .contains("wait for the next code"),
        "the problem says what to do next: {body}"
    );

    // Recovery codes: once each, formatting aside.
    let code = enrolled.recovery_codes[0].to_uppercase().replace('-', " ");
    let (status, body) = verify(&app, json!({ "mfa_token": second, "recovery_code": code })).await;
    assert_eq!(status, 200, "{body}");
    let third = mfa_token(&app, "mfa@example.com").await;
    let (status, _) = verify(
        &app,
        json!({ "mfa_token": third, "recovery_code": enrolled.recovery_codes[0] }),
    )
    .await;
    assert_eq!(status, 401, "a recovery code is single-use");
    let (status, _) = verify(
        &app,
        json!({ "mfa_token": third, "recovery_code": enrolled.recovery_codes[1] }),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = verify(
        &app,
        json!({ "mfa_token": "made-up", "code": hotp(key, s + 1, 6) }),
    )
    .await;
    assert_eq!(status, 401);

    // Turning it off needs the password and a fresh code.
    let (status, body) = app
        .call(
            "DELETE",
            access,
            "/api/auth/mfa",
            Some(json!({ "password": "wrong password here", "code": hotp(key, s + 1, 6) })),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = app
        .call(
            "DELETE",
            access,
            "/api/auth/mfa",
            Some(json!({ "password": PASSWORD, "code": hotp(key, s + 1, 6) })),
        )
        .await;
    assert_eq!(status, 422, "a used code does not turn MFA off: {body}");
    // Once the next step has begun, the one after it is in the window and newer than any code used.
    while now_step() <= s {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let fresh = hotp(key, now_step() + 1, 6);
    let (status, body) = app
        .call(
            "DELETE",
            access,
            "/api/auth/mfa",
            Some(json!({ "password": PASSWORD, "code": fresh })),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = app.login("mfa@example.com", PASSWORD).await;
    assert_eq!(status, 200);
    assert!(body["access_token"].is_string(), "{body}");
    let (_, me) = app.api(&user.access_token).me().await;
    assert_eq!(me["mfa_enabled"], false);
}

#[tokio::test]
async fn wrong_codes_are_throttled_and_two_racing_sign_ins_share_a_code_once() {
    early_in_a_step().await;
    let app = spawn_app().await;
    let user = app.register("mfa.race@example.com", PASSWORD).await;
    let enrolled = enrol(&app, &user.access_token).await;
    let next = hotp(&enrolled.key, enrolled.confirmed_step + 1, 6);

    // Two second steps at once with the same fresh code: one session, one 401.
    let tokens = [
        mfa_token(&app, "mfa.race@example.com").await,
        mfa_token(&app, "mfa.race@example.com").await,
    ];
    let attempts = tokens
        .iter()
        .map(|token| verify(&app, json!({ "mfa_token": token, "code": next })));
    let statuses: Vec<u16> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(|(status, _)| status)
        .collect();
    let mut sorted = statuses.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, [200, 401], "{statuses:?}");

    // Failures are counted like passwords (5 per account in the default configuration).
    let token = mfa_token(&app, "mfa.race@example.com").await;
    let wrong = hotp(&enrolled.key, enrolled.confirmed_step + 5, 6);
    let mut throttled = false;
    for _ in 0..8 {
        let (status, _) = verify(&app, json!({ "mfa_token": token, "code": wrong })).await;
        if status == 429 {
            throttled = true;
            break;
        }
        assert_eq!(status, 401);
    }
    assert!(throttled, "wrong codes are throttled");
    let (status, _) = verify(
        &app,
        json!({ "mfa_token": token, "recovery_code": enrolled.recovery_codes[0] }),
    )
    .await;
    assert_eq!(status, 429, "even a right recovery code waits out the lockout");

    // API keys cannot enrol (the account needs the person).
    let (_, key) = app
        .api(&user.access_token)
        .create_api_key(&user.org_id, json!({ "name": "ci" }))
        .await;
    let key = key["key"].as_str().expect("key");
    let (status, _) = app.call("POST", key, "/api/auth/mfa/totp/setup", None).await;
    assert_eq!(status, 403);
}

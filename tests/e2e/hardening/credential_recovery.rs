//! Recovering an account takes back everything its previous holder had: sessions and API keys.
//! Orgs can see, and may require, verified email addresses.

use serde_json::json;

use super::{PASSWORD, api_key, shared_org};
use crate::support::{spawn_app, spawn_app_with, token_in_mail};

#[tokio::test]
async fn a_password_reset_revokes_the_squatters_api_keys_for_good() {
    let app = spawn_app().await;
    // The squatter registers the new hire's address first and gets added to the company org.
    let squatter = app.register("newhire@corp.example", PASSWORD).await;
    let boss = app.register("boss@corp.example", PASSWORD).await;
    let corp = shared_org(&app, &boss, "Corp").await;
    let (status, _) = app
        .api(&boss.access_token)
        .add_member(
            &corp,
            json!({ "email": "newhire@corp.example", "role": "developer" }),
        )
        .await;
    assert_eq!(status, 201);
    let key = api_key(&app, &squatter, &corp).await;
    assert_eq!(app.api(&key).me().await.0, 200);

    // The real owner of the address recovers the account.
    app.post_json(
        "/api/auth/password-reset/request",
        &json!({ "email": "newhire@corp.example" }),
    )
    .await;
    let token = token_in_mail(&app.wait_for_mail("newhire@corp.example", 1).await[0]);
    let reset = app
        .post_json(
            "/api/auth/password-reset",
            &json!({ "token": token, "new_password": "the real new hire is here" }),
        )
        .await;
    assert_eq!(reset.status(), 204);
    assert_eq!(app.api(&key).me().await.0, 401);
    assert_eq!(app.api(&key).conversations(&corp, "").await.0, 401);
    assert_eq!(
        app.get_as(&squatter.access_token, "/api/auth/me").await.status(),
        401
    );
}

#[tokio::test]
async fn disabling_revokes_api_keys_so_enabling_brings_none_back() {
    let app = spawn_app().await;
    let user = app.register("disabled.keys@example.com", PASSWORD).await;
    let key = api_key(&app, &user, &user.org_id).await;
    let admin = |args: &[&str]| {
        let status = crate::support::tenantry_command(&app.data_dir)
            .args(args)
            .env("DATABASE_URL", &app.database.url)
            .env("TENANTRY_DATA_DIR", &app.data_dir)
            .env(
                "TENANTRY_AUTH_JWT_SECRET",
                crate::support::TEST_JWT_SECRET.as_str(),
            )
            .output()
            .expect("run tenantry");
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
    };
    admin(&["users", "disable", "disabled.keys@example.com"]);
    assert_eq!(app.api(&key).me().await.0, 401);
    admin(&["users", "enable", "disabled.keys@example.com"]);
    assert_eq!(
        app.api(&key).me().await.0,
        401,
        "the key stays revoked after enabling"
    );
    assert_eq!(app.login("disabled.keys@example.com", PASSWORD).await.0, 200);
}

#[tokio::test]
async fn members_show_whether_their_email_is_verified() {
    let app = spawn_app().await;
    let owner = app.register("owner.verified@example.com", PASSWORD).await;
    app.register("unverified.verified@example.com", PASSWORD).await;
    let org = shared_org(&app, &owner, "Verified Co").await;
    let (status, added) = app
        .api(&owner.access_token)
        .add_member(
            &org,
            json!({ "email": "unverified.verified@example.com", "role": "viewer" }),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(added["email_verified"], false);
    let (_, members) = app.api(&owner.access_token).members(&org).await;
    let items = members["items"].as_array().expect("items");
    assert!(
        items.iter().all(|member| member["email_verified"].is_boolean()),
        "{members}"
    );
}

#[tokio::test]
async fn with_verified_email_required_unverified_accounts_cannot_join() {
    let app = spawn_app_with(|config| config.orgs.require_verified_email = true).await;
    let owner = app.register("owner.strict@example.com", PASSWORD).await;
    let joiner = app.register("joiner.strict@example.com", PASSWORD).await;
    let org = shared_org(&app, &owner, "Strict Co").await;
    let (status, problem) = app
        .api(&owner.access_token)
        .add_member(
            &org,
            json!({ "email": "joiner.strict@example.com", "role": "viewer" }),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("email_unverified"))
    );

    let (status, _) = app
        .api(&owner.access_token)
        .invite(
            &org,
            json!({ "email": "joiner.strict@example.com", "role": "viewer" }),
        )
        .await;
    assert_eq!(status, 201);
    let invitation = token_in_mail(&app.mail_to("joiner.strict@example.com")[0]);
    let (status, problem) = app
        .api(&joiner.access_token)
        .accept_invitation(json!({ "token": invitation }))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("email_unverified"))
    );

    // Once verified, the same invitation works.
    app.post_json_as(&joiner.access_token, "/api/auth/verify-email/request", &json!({}))
        .await;
    let verification = app
        .mail_to("joiner.strict@example.com")
        .into_iter()
        .find(|mail| mail.contains("Verify your email"))
        .expect("verification mail");
    let verified = app
        .post_json(
            "/api/auth/verify-email",
            &json!({ "token": token_in_mail(&verification) }),
        )
        .await;
    assert_eq!(verified.status(), 204);
    let (status, member) = app
        .api(&joiner.access_token)
        .accept_invitation(json!({ "token": invitation }))
        .await;
    assert_eq!(status, 200, "{member}");
    assert_eq!(member["email_verified"], true);
}

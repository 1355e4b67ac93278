//! Every credential an account or a membership minted dies with it: a password reset takes the
//! sandbox keys and share links an intruder made, a removed member's share links stop, a sandbox
//! key obeys the org's sign-in policy as its creator does, and a reassigned conversation's sandbox
//! no longer reads its new owner's secrets. Invitations obey the org's domains at acceptance.

use serde_json::{Value, json};

use super::{PASSWORD, shared_org};
use crate::{
    agent_servers::{deliver, register_sandbox},
    identity::mfa::{early_in_a_step, enrol},
    support::{Session, TestApp, spawn_app, token_in_mail},
};

/// Adds a registered user to `org` with `role`.
async fn member(app: &TestApp, owner: &Session, org: &str, email: &str, role: &str) -> Session {
    let session = app.register(email, PASSWORD).await;
    let (status, body) = app
        .api(&owner.access_token)
        .add_member(org, json!({ "email": email, "role": role }))
        .await;
    assert_eq!(status, 201, "{body}");
    session
}

/// A conversation the sandbox reports (it runs it): its id.
async fn reported_conversation(app: &TestApp, key: &str) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let (status, body) = deliver(
        app,
        Some(key),
        "/conversations",
        &json!({ "id": id, "execution_status": "running", "title": "runs here" }),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    id
}

/// The sandbox looks a secret up as its agent server does: `(status, body)`.
async fn lookup(app: &TestApp, key: &str, conversation: &str, name: &str) -> (u16, String) {
    let response = app
        .client
        .get(app.url(&format!("/api/v1/webhooks/secrets/{conversation}/{name}")))
        .header("X-Session-API-Key", key)
        .send()
        .await
        .expect("request");
    (
        response.status().as_u16(),
        response.text().await.unwrap_or_default(),
    )
}

/// A share link of `conversation` made by `session`: its token.
async fn share(app: &TestApp, session: &Session, org: &str, conversation: &str) -> String {
    let (status, link) = app
        .api(&session.access_token)
        .share(org, conversation, json!({}))
        .await;
    assert_eq!(status, 201, "{link}");
    link["token"].as_str().expect("token").to_owned()
}

async fn reset_password(app: &TestApp, email: &str) {
    app.post_json("/api/auth/password-reset/request", &json!({ "email": email }))
        .await;
    let token = token_in_mail(&app.wait_for_mail(email, 1).await[0]);
    let reset = app
        .post_json(
            "/api/auth/password-reset",
            &json!({ "token": token, "new_password": "the owner is back in charge" }),
        )
        .await;
    assert_eq!(reset.status(), 204);
}

fn code(body: &Value) -> &str {
    body["code"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_password_reset_takes_the_sandbox_keys_and_share_links_the_intruder_made() {
    let app = spawn_app().await;
    let boss = app.register("boss.reset@example.com", PASSWORD).await;
    let org = shared_org(&app, &boss, "Reset Corp").await;
    let intruder = member(&app, &boss, &org, "taken.over@example.com", "developer").await;
    let (status, _) = app
        .api(&intruder.access_token)
        .put_secret(
            &org,
            "DEPLOY_TOKEN",
            json!({ "value": "s3cr3t-deploy", "scope": "user" }),
        )
        .await;
    assert_eq!(status, 200);
    let sandbox = register_sandbox(&app, &intruder, &org, "intruder box").await;
    let conversation = reported_conversation(&app, &sandbox.key).await;
    let link = share(&app, &intruder, &org, &conversation).await;
    assert_eq!(
        lookup(&app, &sandbox.key, &conversation, "DEPLOY_TOKEN").await,
        (200, "s3cr3t-deploy".to_owned())
    );
    assert_eq!(app.anonymous(&format!("/api/shared/{link}")).await.0, 200);

    reset_password(&app, "taken.over@example.com").await;
    assert_eq!(
        lookup(&app, &sandbox.key, &conversation, "DEPLOY_TOKEN").await.0,
        401,
        "the sandbox key died with the old password"
    );
    let (status, _) = deliver(
        &app,
        Some(&sandbox.key),
        "/conversations",
        &json!({ "id": conversation, "execution_status": "running" }),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        app.anonymous(&format!("/api/shared/{link}")).await.0,
        404,
        "the share link died with the old password"
    );
    // The boss's own links and sandboxes are untouched.
    let boss_box = register_sandbox(&app, &boss, &org, "boss box").await;
    let boss_conversation = reported_conversation(&app, &boss_box.key).await;
    let boss_link = share(&app, &boss, &org, &boss_conversation).await;
    reset_password(&app, "boss.reset@example.com").await;
    assert_eq!(app.anonymous(&format!("/api/shared/{boss_link}")).await.0, 404);
}

#[tokio::test]
async fn a_removed_member_leaves_no_working_share_links_behind() {
    let app = spawn_app().await;
    let owner = app.register("owner.shares@example.com", PASSWORD).await;
    let org = shared_org(&app, &owner, "Shares Corp").await;
    let leaver = member(&app, &owner, &org, "leaver.shares@example.com", "developer").await;
    let sandbox = register_sandbox(&app, &leaver, &org, "leaver box").await;
    let conversation = reported_conversation(&app, &sandbox.key).await;
    let link = share(&app, &leaver, &org, &conversation).await;
    // The same member's links in their own org stay: removal covers this org only.
    let own = register_sandbox(&app, &leaver, &leaver.org_id, "own box").await;
    let own_conversation = reported_conversation(&app, &own.key).await;
    let own_link = share(&app, &leaver, &leaver.org_id, &own_conversation).await;
    assert_eq!(app.anonymous(&format!("/api/shared/{link}")).await.0, 200);

    let (status, _) = app
        .api(&owner.access_token)
        .remove_member(&org, &leaver.user_id)
        .await;
    assert_eq!(status, 204);
    assert_eq!(app.anonymous(&format!("/api/shared/{link}")).await.0, 404);
    let (status, _) = app
        .anonymous(&format!("/api/shared/{link}/events?start_id=0"))
        .await;
    assert_eq!(status, 404, "new events are not readable either");
    assert_eq!(app.anonymous(&format!("/api/shared/{own_link}")).await.0, 200);
}

#[tokio::test]
async fn a_sandbox_key_obeys_the_orgs_mfa_requirement_like_its_creator() {
    let app = spawn_app().await;
    let owner = app.register("owner.mfa.box@example.com", PASSWORD).await;
    let org = shared_org(&app, &owner, "MFA Corp").await;
    let developer = member(&app, &owner, &org, "dev.mfa.box@example.com", "developer").await;
    let (status, _) = app
        .api(&owner.access_token)
        .put_secret(&org, "ORG_TOKEN", json!({ "value": "org-wide", "scope": "org" }))
        .await;
    assert_eq!(status, 200);
    let sandbox = register_sandbox(&app, &developer, &org, "dev box").await;
    let conversation = reported_conversation(&app, &sandbox.key).await;
    assert_eq!(
        lookup(&app, &sandbox.key, &conversation, "ORG_TOKEN").await.0,
        200
    );

    early_in_a_step().await;
    enrol(&app, &owner.access_token).await;
    let (status, body) = app
        .call(
            "PUT",
            &owner.access_token,
            &format!("/api/orgs/{org}/policy"),
            Some(json!({ "require_mfa": true, "require_sso": false })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, refused) = app
        .api(&developer.access_token)
        .get(&format!("/api/orgs/{org}/members"))
        .await;
    assert_eq!((status, code(&refused)), (403, "mfa_required"));
    let (status, body) = lookup(&app, &sandbox.key, &conversation, "ORG_TOKEN").await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("mfa_required"), "{body}");
    assert!(!body.contains("org-wide"));

    enrol(&app, &developer.access_token).await;
    assert_eq!(
        lookup(&app, &sandbox.key, &conversation, "ORG_TOKEN").await,
        (200, "org-wide".to_owned())
    );
}

#[tokio::test]
async fn a_reassigned_conversations_sandbox_does_not_read_the_new_owners_secrets() {
    let app = spawn_app().await;
    let owner = app.register("owner.reassign@example.com", PASSWORD).await;
    let org = shared_org(&app, &owner, "Reassign Corp").await;
    let creator = member(&app, &owner, &org, "creator.reassign@example.com", "developer").await;
    let heir = member(&app, &owner, &org, "heir.reassign@example.com", "developer").await;
    for (session, value) in [(&creator, "creator-token"), (&heir, "heir-token")] {
        let (status, _) = app
            .api(&session.access_token)
            .put_secret(&org, "GITHUB_TOKEN", json!({ "value": value, "scope": "user" }))
            .await;
        assert_eq!(status, 200);
    }
    let (status, _) = app
        .api(&owner.access_token)
        .put_secret(&org, "SHARED", json!({ "value": "org-value", "scope": "org" }))
        .await;
    assert_eq!(status, 200);
    let sandbox = register_sandbox(&app, &creator, &org, "creator box").await;
    let conversation = reported_conversation(&app, &sandbox.key).await;
    assert_eq!(
        lookup(&app, &sandbox.key, &conversation, "GITHUB_TOKEN").await,
        (200, "creator-token".to_owned())
    );

    let (status, body) = app
        .api(&owner.access_token)
        .reassign(&org, &conversation, json!({ "user_id": heir.user_id }))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = lookup(&app, &sandbox.key, &conversation, "GITHUB_TOKEN").await;
    assert_eq!(status, 404, "the heir's personal secret stays the heir's: {body}");
    assert!(!body.contains("heir-token"));
    assert_eq!(
        lookup(&app, &sandbox.key, &conversation, "SHARED").await,
        (200, "org-value".to_owned()),
        "org secrets stay readable to the org's sandboxes"
    );
}

#[tokio::test]
async fn an_invitation_is_accepted_only_within_the_orgs_domains_at_acceptance() {
    let app = spawn_app().await;
    let owner = app.register("owner.domains@example.com", PASSWORD).await;
    let org = shared_org(&app, &owner, "Domains Corp").await;
    let (status, body) = app
        .api(&owner.access_token)
        .invite(
            &org,
            json!({ "email": "contractor@elsewhere.org", "role": "developer" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let token = token_in_mail(&app.wait_for_mail("contractor@elsewhere.org", 1).await[0]);
    let (status, body) = app
        .call(
            "PUT",
            &owner.access_token,
            &format!("/api/orgs/{org}/policy"),
            Some(json!({ "require_mfa": false, "require_sso": false, "allowed_email_domains": ["example.com"] })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let contractor = app.register("contractor@elsewhere.org", PASSWORD).await;
    let (status, refused) = app
        .api(&contractor.access_token)
        .accept_invitation(json!({ "token": token }))
        .await;
    assert_eq!(
        (status, code(&refused)),
        (403, "email_domain_not_allowed"),
        "{refused}"
    );
    let (_, orgs) = app.api(&contractor.access_token).orgs().await;
    assert_eq!(orgs["items"].as_array().map(Vec::len), Some(1));
}

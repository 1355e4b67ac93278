//! An invitation carries its inviter's authority only while the inviter holds it.

use serde_json::{Value, json};

use super::{PASSWORD, shared_org};
use crate::support::{Session, TestApp, spawn_app, token_in_mail};

async fn invite(app: &TestApp, inviter: &Session, org: &str, email: &str, role: &str) -> String {
    let (status, body) = app
        .api(&inviter.access_token)
        .invite(&org, json!({ "email": email, "role": role }))
        .await;
    assert_eq!(status, 201, "{body}");
    let mails = app.mail_to(email);
    token_in_mail(mails.last().expect("invitation mail"))
}

async fn accept(app: &TestApp, session: &Session, token: &str) -> (u16, Value) {
    app.api(&session.access_token)
        .accept_invitation(json!({ "token": token }))
        .await
}

#[tokio::test]
async fn a_removed_admin_cannot_come_back_through_their_own_invitation() {
    let app = spawn_app().await;
    let owner = app.register("owner.authority@example.com", PASSWORD).await;
    let admin = app.register("admin.authority@example.com", PASSWORD).await;
    let second = app.register("second.authority@example.com", PASSWORD).await;
    let org = shared_org(&app, &owner, "Authority Co").await;
    app.api(&owner.access_token)
        .add_member(
            &org,
            json!({ "email": "admin.authority@example.com", "role": "admin" }),
        )
        .await;
    let token = invite(&app, &admin, &org, "second.authority@example.com", "admin").await;
    let (status, _) = app
        .api(&owner.access_token)
        .remove_member(&org, &admin.user_id)
        .await;
    assert_eq!(status, 204);
    let (_, pending) = app.api(&owner.access_token).invitations(&org).await;
    assert_eq!(
        pending["items"],
        json!([]),
        "the removed admin's invitations are revoked"
    );
    let (status, _) = accept(&app, &second, &token).await;
    assert_eq!(status, 404, "a revoked invitation is unknown");
    let (_, members) = app.api(&owner.access_token).members(&org).await;
    assert!(!members.to_string().contains(&second.user_id), "{members}");
}

#[tokio::test]
async fn an_inviter_demoted_below_the_role_has_revoked_it() {
    let app = spawn_app().await;
    let owner = app.register("owner.demoted@example.com", PASSWORD).await;
    let admin = app.register("admin.demoted@example.com", PASSWORD).await;
    let invitee = app.register("invitee.demoted@example.com", PASSWORD).await;
    let other = app.register("other.demoted@example.com", PASSWORD).await;
    let org = shared_org(&app, &owner, "Demoted Co").await;
    app.api(&owner.access_token)
        .add_member(
            &org,
            json!({ "email": "admin.demoted@example.com", "role": "admin" }),
        )
        .await;
    let as_admin = invite(&app, &admin, &org, "invitee.demoted@example.com", "admin").await;
    let as_viewer = invite(&app, &admin, &org, "other.demoted@example.com", "viewer").await;
    let (status, _) = app
        .api(&owner.access_token)
        .change_role(&org, &admin.user_id, json!({ "role": "developer" }))
        .await;
    assert_eq!(status, 200);
    let (status, problem) = accept(&app, &invitee, &as_admin).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (410, Some("invitation_revoked"))
    );
    let (status, problem) = accept(&app, &other, &as_viewer).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (410, Some("invitation_revoked")),
        "a developer may not add members at all"
    );

    // Promoted back, the inviter's invitations work again.
    app.api(&owner.access_token)
        .change_role(&org, &admin.user_id, json!({ "role": "admin" }))
        .await;
    let (status, member) = accept(&app, &invitee, &as_admin).await;
    assert_eq!(status, 200, "{member}");
    assert_eq!(member["role"], "admin");
}

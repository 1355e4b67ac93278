//! Invitations through the file mailer.

use std::time::Duration;

use serde_json::json;

use crate::support::{Cast, PASSWORD};
use crate::support::{spawn_app, spawn_app_with, token_in_mail};

#[tokio::test]
async fn an_invited_user_joins_through_the_mailed_token_once() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "invite", "Invite Corp").await;

    let (status, invitation) = app
        .api(&cast.admin.access_token)
        .invite(
            &cast.org,
            json!({ "email": "New.Person@example.com", "role": "developer" }),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(invitation["email"], "new.person@example.com");
    assert_eq!(invitation["role"], "developer");
    assert!(invitation["expires_at"].is_string());
    assert!(
        invitation.get("token").is_none(),
        "the token only goes out by mail"
    );

    let (status, body) = app
        .api(&cast.admin.access_token)
        .invite(
            &cast.org,
            json!({ "email": "new.person@example.com", "role": "viewer" }),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("already_invited")));
    let (_, pending) = app.api(&cast.admin.access_token).invitations(&cast.org).await;
    assert_eq!(pending["items"].as_array().expect("items").len(), 1);

    let mails = app.mail_to("new.person@example.com");
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("Invite Corp"));
    let token = token_in_mail(&mails[0]);

    let stranger = app.register("stranger.invite@example.com", PASSWORD).await;
    let (status, _) = app
        .api(&stranger.access_token)
        .accept_invitation(json!({ "token": token }))
        .await;
    assert_eq!(status, 403, "only the invited email may accept");

    let invitee = app.register("new.person@example.com", PASSWORD).await;
    let (status, member) = app
        .api(&invitee.access_token)
        .accept_invitation(json!({ "token": token }))
        .await;
    assert_eq!(status, 200);
    assert_eq!(member["role"], "developer");
    assert_eq!(member["user_id"], invitee.user_id.as_str());
    let (status, _) = app.api(&invitee.access_token).org(&cast.org).await;
    assert_eq!(status, 200);

    let (status, _) = app
        .api(&invitee.access_token)
        .accept_invitation(json!({ "token": token }))
        .await;
    assert_eq!(status, 404, "a spent invitation is unknown");
    let (_, pending) = app.api(&cast.admin.access_token).invitations(&cast.org).await;
    assert!(pending["items"].as_array().expect("items").is_empty());
}

#[tokio::test]
async fn invitations_cannot_grant_above_the_inviter_and_can_be_revoked() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "revoke", "Revoke Corp").await;
    let (status, _) = app
        .api(&cast.admin.access_token)
        .invite(&cast.org, json!({ "email": "boss@example.com", "role": "owner" }))
        .await;
    assert_eq!(status, 403);
    let (status, body) = app
        .api(&cast.admin.access_token)
        .invite(
            &cast.org,
            json!({ "email": "viewer.revoke@example.com", "role": "viewer" }),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("already_member")));

    let (_, invitation) = app
        .api(&cast.admin.access_token)
        .invite(
            &cast.org,
            json!({ "email": "later@example.com", "role": "viewer" }),
        )
        .await;
    let token = token_in_mail(&app.mail_to("later@example.com")[0]);
    let id = invitation["id"].as_str().expect("id");
    let (status, _) = app
        .api(&cast.admin.access_token)
        .revoke_invitation(&cast.org, &id)
        .await;
    assert_eq!(status, 204);
    let (status, _) = app
        .api(&cast.admin.access_token)
        .revoke_invitation(&cast.org, &id)
        .await;
    assert_eq!(status, 404);
    let later = app.register("later@example.com", PASSWORD).await;
    let (status, _) = app
        .api(&later.access_token)
        .accept_invitation(json!({ "token": token }))
        .await;
    assert_eq!(status, 404, "a revoked invitation is unknown");
}

#[tokio::test]
async fn expired_invitations_are_410() {
    let app = spawn_app_with(|config| config.orgs.invitation_ttl_secs = 1).await;
    let cast = Cast::assemble(&app, "expire", "Expire Corp").await;
    app.api(&cast.owner.access_token)
        .invite(
            &cast.org,
            json!({ "email": "slow@example.com", "role": "viewer" }),
        )
        .await;
    let token = token_in_mail(&app.mail_to("slow@example.com")[0]);
    let slow = app.register("slow@example.com", PASSWORD).await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let (status, body) = app
        .api(&slow.access_token)
        .accept_invitation(json!({ "token": token }))
        .await;
    assert_eq!((status, body["code"].as_str()), (410, Some("invitation_expired")));
}

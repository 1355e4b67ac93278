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
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or("")
            .contains("ask the org's admins for a new one"),
        "the problem says what to do next: {body}"
    );
    let (status, preview) = app
        .call(
            "POST",
            &slow.access_token,
            "/api/invitations/preview",
            Some(json!({ "token": token })),
        )
        .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["refusal"]["code"], "invitation_expired", "{preview}");
}

#[tokio::test]
async fn the_invitation_page_names_the_org_the_inviter_and_the_role_before_accepting() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "preview", "Preview Corp").await;
    app.call(
        "PATCH",
        &cast.admin.access_token,
        "/api/auth/me",
        Some(json!({ "name": "Ada Admin" })),
    )
    .await;
    app.api(&cast.admin.access_token)
        .invite(
            &cast.org,
            json!({ "email": "frank@example.com", "role": "developer" }),
        )
        .await;
    let token = token_in_mail(&app.mail_to("frank@example.com")[0]);
    let preview = |access: String| {
        let app = &app;
        let token = token.clone();
        async move {
            app.call(
                "POST",
                &access,
                "/api/invitations/preview",
                Some(json!({ "token": token })),
            )
            .await
        }
    };

    let frank = app.register("frank@example.com", PASSWORD).await;
    let (status, shown) = preview(frank.access_token.clone()).await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["org_id"], cast.org.as_str());
    assert_eq!(shown["org_name"], "Preview Corp");
    assert_eq!(shown["role"], "developer");
    assert_eq!(shown["inviter"]["name"], "Ada Admin");
    assert!(
        shown["inviter"]["email"]
            .as_str()
            .expect("inviter email")
            .contains('@')
    );
    assert_eq!(shown["email"], "frank@example.com");
    assert_eq!(shown["for_you"], true);
    assert!(shown["refusal"].is_null(), "{shown}");
    assert!(shown.get("token").is_none());

    // Someone else holding the link learns which account it is for, not the address.
    let gina = app.register("gina@example.com", PASSWORD).await;
    let (status, shown) = preview(gina.access_token.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(shown["email"], "f…@e…");
    assert_eq!(shown["for_you"], false);
    assert_eq!(shown["inviter"]["name"], "Ada Admin");
    assert!(
        shown["inviter"]["email"].is_null(),
        "the inviter's address is the invited's to see: {shown}"
    );
    assert_eq!(shown["refusal"]["code"], "forbidden");
    assert!(
        shown["refusal"]["detail"]
            .as_str()
            .expect("detail")
            .contains("another email address"),
        "{shown}"
    );
    let (status, refused) = app
        .api(&gina.access_token)
        .accept_invitation(json!({ "token": token }))
        .await;
    assert_eq!(
        (status, refused["detail"].clone()),
        (403, shown["refusal"]["detail"].clone())
    );

    // Looking changed nothing: the invitation is still there to accept, once.
    let (status, _) = app
        .api(&frank.access_token)
        .accept_invitation(json!({ "token": token }))
        .await;
    assert_eq!(status, 200);
    assert_eq!(preview(frank.access_token.clone()).await.0, 404, "spent");
    assert_eq!(preview(frank.access_token.clone()).await.0, 404);
    let (status, _) = app
        .call(
            "POST",
            &frank.access_token,
            "/api/invitations/preview",
            Some(json!({ "token": "garbled" })),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_resent_invitation_replaces_the_old_link() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "resend", "Resend Corp").await;
    let admin = &cast.admin.access_token;
    let (_, first) = app
        .api(admin)
        .invite(
            &cast.org,
            json!({ "email": "lena@example.com", "role": "viewer" }),
        )
        .await;
    let first_id = first["id"].as_str().expect("id");
    let old_token = token_in_mail(&app.mail_to("lena@example.com")[0]);

    let resend = |token: &str, id: &str| {
        let path = format!("/api/orgs/{}/invitations/{id}/resend", cast.org);
        let token = token.to_owned();
        let app = &app;
        async move { app.call("POST", &token, &path, None).await }
    };
    assert_eq!(resend(&cast.developer.access_token, first_id).await.0, 403);
    let (status, second) = resend(admin, first_id).await;
    assert_eq!(status, 201, "{second}");
    assert_ne!(second["id"], first["id"]);
    assert_eq!(
        (second["email"].as_str(), second["role"].as_str()),
        (Some("lena@example.com"), Some("viewer"))
    );
    let (_, pending) = app.api(admin).invitations(&cast.org).await;
    let pending = pending["items"].as_array().expect("items");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["id"], second["id"]);
    assert_eq!(resend(admin, first_id).await.0, 404, "the old one is gone");

    let mails = app.mail_to("lena@example.com");
    assert_eq!(mails.len(), 2);
    let new_token = mails
        .iter()
        .map(|mail| token_in_mail(mail))
        .find(|token| *token != old_token)
        .expect("a new link");
    let lena = app.register("lena@example.com", PASSWORD).await;
    let (status, _) = app
        .api(&lena.access_token)
        .accept_invitation(json!({ "token": old_token }))
        .await;
    assert_eq!(status, 404, "the old link stopped working");
    let (status, member) = app
        .api(&lena.access_token)
        .accept_invitation(json!({ "token": new_token }))
        .await;
    assert_eq!((status, member["role"].as_str()), (200, Some("viewer")));

    let (_, log) = app.api(admin).audit_log(&cast.org).await;
    let sent = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|entry| entry["action"] == "invitation.sent" && entry["detail"]["replaces"] == first["id"])
        .cloned();
    assert!(
        sent.is_some(),
        "the resend is audited with what it replaced: {log}"
    );
}

//! API keys: shown once, hashed, bound to one org and one user, revoked at once.

use std::time::Duration;

use futures::future::join_all;
use serde_json::json;

use crate::{support::Cast, support::spawn_app};

#[tokio::test]
async fn a_key_is_shown_once_works_in_its_org_only_and_records_its_use() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "keys", "Keys Co").await;

    let (status, created) = app
        .api(&cast.developer.access_token)
        .create_api_key(&cast.org, json!({ "name": "laptop" }))
        .await;
    assert_eq!(status, 201, "{created}");
    let key = created["key"].as_str().expect("key").to_owned();
    assert!(key.starts_with(created["prefix"].as_str().expect("prefix")));
    assert!(key.starts_with("tnt_"));
    assert!(created["last_used_at"].is_null());

    let (status, listed) = app
        .api(&cast.developer.access_token)
        .api_keys(&cast.org, "")
        .await;
    assert_eq!(status, 200);
    assert_eq!(listed["items"].as_array().expect("items").len(), 1);
    assert!(listed["items"][0].get("key").is_none(), "listing hides the key");
    assert!(!listed.to_string().contains(&key));

    let (status, me) = app.api(&key).me().await;
    assert_eq!(
        (status, me["id"].as_str()),
        (200, Some(cast.developer.user_id.as_str())),
        "acts as its user"
    );
    let (status, _) = app.api(&key).conversations(&cast.org, "").await;
    assert_eq!(status, 200);
    let (status, _) = app.api(&key).create_conversation(&cast.org, json!({})).await;
    assert_eq!(status, 201, "with its user's developer role");
    let (status, _) = app.api(&key).org(&cast.developer.org_id).await;
    assert_eq!(status, 404, "the user's other orgs do not exist for the key");
    let (status, orgs) = app.api(&key).orgs().await;
    assert_eq!((status, orgs["items"].as_array().map(Vec::len)), (200, Some(1)));
    let (status, _) = app.api(&key).logout_all().await;
    assert_eq!(status, 403, "account actions need a signed-in user");

    let (_, listed) = app
        .api(&cast.developer.access_token)
        .api_keys(&cast.org, "")
        .await;
    assert!(
        listed["items"][0]["last_used_at"].is_string(),
        "last use recorded"
    );

    let (status, _) = app.api("tnt_garbage").me().await;
    assert_eq!(status, 401);
    let mut wrong = key.clone().into_bytes();
    let at = wrong.len() - 10;
    wrong[at] = if wrong[at] == b'a' { b'b' } else { b'a' };
    let (status, _) = app.api(&String::from_utf8(wrong).expect("ascii")).me().await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn roles_expiry_and_membership_govern_keys() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "keyroles", "Key Roles Co").await;
    let (status, _) = app
        .api(&cast.viewer.access_token)
        .create_api_key(&cast.org, json!({ "name": "v" }))
        .await;
    assert_eq!(status, 403, "developer+ creates keys");
    let (status, _) = app
        .api(&cast.developer.access_token)
        .create_api_key(
            &cast.org,
            json!({ "name": "old", "expires_at": "2000-01-01T00:00:00Z" }),
        )
        .await;
    assert_eq!(status, 422, "an expiry in the past");

    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let (_, expiring) = app
        .api(&cast.developer.access_token)
        .create_api_key(&cast.org, json!({ "name": "short", "expires_at": soon }))
        .await;
    let expiring = expiring["key"].as_str().expect("key").to_owned();
    assert_eq!(app.api(&expiring).me().await.0, 200);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(app.api(&expiring).me().await.0, 401, "expired");

    let (_, key) = app
        .api(&cast.developer.access_token)
        .create_api_key(&cast.org, json!({ "name": "k" }))
        .await;
    let key = key["key"].as_str().expect("key").to_owned();
    app.api(&cast.admin.access_token)
        .change_role(&cast.org, &cast.developer.user_id, json!({ "role": "viewer" }))
        .await;
    let (status, _) = app.api(&key).create_conversation(&cast.org, json!({})).await;
    assert_eq!(status, 403, "the key follows its user's current role");

    let (_, all) = app
        .api(&cast.admin.access_token)
        .api_keys(&cast.org, "all=true")
        .await;
    assert_eq!(all["items"].as_array().expect("items").len(), 2);
    let (status, _) = app
        .api(&cast.developer.access_token)
        .api_keys(&cast.org, "all=true")
        .await;
    assert_eq!(status, 403);

    app.api(&cast.admin.access_token)
        .remove_member(&cast.org, &cast.developer.user_id)
        .await;
    assert_eq!(app.api(&key).me().await.0, 401, "losing membership kills the key");
    app.api(&cast.admin.access_token)
        .add_member(
            &cast.org,
            json!({ "email": "developer.keyroles@example.com", "role": "developer" }),
        )
        .await;
    assert_eq!(app.api(&key).me().await.0, 401, "for good");
}

#[tokio::test]
async fn revocation_takes_effect_on_the_very_next_request_under_concurrent_use() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "revokekey", "Revoke Key Co").await;
    let (_, created) = app
        .api(&cast.developer.access_token)
        .create_api_key(&cast.org, json!({ "name": "busy" }))
        .await;
    let key = created["key"].as_str().expect("key").to_owned();
    let id = created["id"].as_str().expect("id").to_owned();

    let revoked = std::sync::atomic::AtomicBool::new(false);
    let users_of_key = (0..8).map(|_| {
        let (app, key, revoked) = (&app, &key, &revoked);
        async move {
            let mut after_revoke = Vec::new();
            for _ in 0..15 {
                let was_revoked = revoked.load(std::sync::atomic::Ordering::SeqCst);
                let (status, _) = app.api(key).me().await;
                if was_revoked {
                    after_revoke.push(status);
                }
            }
            after_revoke
        }
    });
    let revoker = async {
        tokio::time::sleep(Duration::from_millis(30)).await;
        let (status, _) = app
            .api(&cast.developer.access_token)
            .revoke_api_key(&cast.org, &id)
            .await;
        revoked.store(true, std::sync::atomic::Ordering::SeqCst);
        status
    };
    let (after, status) = tokio::join!(join_all(users_of_key), revoker);
    assert_eq!(status, 204);
    let after: Vec<u16> = after.into_iter().flatten().collect();
    assert!(
        after.iter().all(|status| *status == 401),
        "every request sent after the revoke: {after:?}"
    );
    assert_eq!(app.api(&key).me().await.0, 401);
    let (status, _) = app
        .api(&cast.developer.access_token)
        .revoke_api_key(&cast.org, &id)
        .await;
    assert_eq!(status, 404);
}

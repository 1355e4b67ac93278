//! The default org of a self-hosted install (`orgs.default_org`): created at start-up, joined by
//! every new account, owned by the first.

use serde_json::Value;

use crate::support::{PASSWORD, spawn_app_with};

/// The org named `name` among the caller's orgs, with the caller's role there.
fn org_named<'a>(orgs: &'a Value, name: &str) -> Option<&'a Value> {
    orgs["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|org| org["name"] == name)
}

#[tokio::test]
async fn every_new_account_joins_the_default_org_and_the_first_owns_it() {
    let app = spawn_app_with(|config| {
        config.orgs.default_org = Some("Acme Engineering".into());
        config.orgs.default_role = tenantry_domain::Role::Viewer;
    })
    .await;

    let first = app.register("first.default@example.com", PASSWORD).await;
    let (_, me) = app.api(&first.access_token).me().await;
    assert_eq!(me["is_superadmin"], true);
    let (_, orgs) = app.api(&first.access_token).orgs().await;
    let acme = org_named(&orgs, "Acme Engineering")
        .expect("the default org")
        .clone();
    assert_eq!(acme["role"], "owner", "the first account owns it: {orgs}");
    assert_eq!(acme["personal"], false);
    assert_eq!(
        me["current_org_id"],
        first.org_id.as_str(),
        "the personal org stays current"
    );

    // Ten accounts at once: each joins once, with the configured role; the org keeps one owner.
    let registrations = (0..10).map(|n| {
        let app = &app;
        async move {
            app.register(&format!("joiner{n}.default@example.com"), PASSWORD)
                .await
        }
    });
    let joiners = futures::future::join_all(registrations).await;
    for joiner in &joiners {
        let (_, orgs) = app.api(&joiner.access_token).orgs().await;
        let joined = org_named(&orgs, "Acme Engineering").expect("joined");
        assert_eq!(joined["id"], acme["id"]);
        assert_eq!(joined["role"], "viewer");
    }
    let org_id = acme["id"].as_str().expect("id");
    let (_, members) = app.api(&first.access_token).members(org_id).await;
    let members = members["items"].as_array().expect("members");
    assert_eq!(members.len(), 11);
    assert_eq!(
        members.iter().filter(|member| member["role"] == "owner").count(),
        1
    );
    let (_, log) = app.api(&first.access_token).audit_log(org_id).await;
    let joined_by_default = log["items"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|entry| entry["action"] == "member.added" && entry["detail"]["via"] == "default_org")
        .count();
    assert_eq!(joined_by_default, 11, "{log}");

    // Another instance (or a restart) finds the org, whatever the case of its name in the config.
    let sibling = app
        .start_sibling(|config| {
            config.orgs.default_org = Some("ACME engineering".into());
            config.orgs.default_role = tenantry_domain::Role::Developer;
        })
        .await;
    let later = sibling.register("later.default@example.com", PASSWORD).await;
    let (_, orgs) = sibling.api(&later.access_token).orgs().await;
    let items = orgs["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "the personal org and the one default org: {orgs}");
    let joined = org_named(&orgs, "Acme Engineering").expect("the same org");
    assert_eq!(
        (joined["id"].clone(), joined["role"].as_str()),
        (acme["id"].clone(), Some("developer"))
    );
    let (_, me) = sibling.api(&later.access_token).me().await;
    assert_eq!(me["is_superadmin"], false);
}

#[tokio::test]
async fn on_an_install_with_accounts_the_oldest_superadmin_owns_the_new_default_org() {
    let app = spawn_app_with(|_| {}).await;
    let admin = app.register("admin.default@example.com", PASSWORD).await;
    let member = app.register("member.default@example.com", PASSWORD).await;
    let sibling = app
        .start_sibling(|config| config.orgs.default_org = Some("Company".into()))
        .await;
    let (_, orgs) = sibling.api(&admin.access_token).orgs().await;
    assert_eq!(org_named(&orgs, "Company").expect("created")["role"], "owner");
    let (_, orgs) = sibling.api(&member.access_token).orgs().await;
    assert!(
        org_named(&orgs, "Company").is_none(),
        "accounts made before it do not join"
    );
    let newcomer = sibling.register("newcomer.default@example.com", PASSWORD).await;
    let (_, orgs) = sibling.api(&newcomer.access_token).orgs().await;
    assert_eq!(org_named(&orgs, "Company").expect("joined")["role"], "developer");
}

#[tokio::test]
async fn owner_is_refused_as_the_default_role() {
    let app = spawn_app_with(|_| {}).await;
    let out = app.cli(
        &["users", "list"],
        &[
            ("TENANTRY_ORGS_DEFAULT_ORG", "Acme"),
            ("TENANTRY_ORGS_DEFAULT_ROLE", "owner"),
        ],
    );
    assert!(!out.ok, "{}", out.text);
    assert!(out.text.contains("orgs.default_role"), "{}", out.text);
}

#[tokio::test]
async fn the_default_org_keeps_its_joining_rules_unverified_accounts_join_once_verified() {
    let app = spawn_app_with(|config| {
        config.orgs.default_org = Some("Verified Co".into());
        config.orgs.require_verified_email = true;
    })
    .await;
    let first = app.register("first.verified@acme.test", PASSWORD).await;
    let (_, orgs) = app.api(&first.access_token).orgs().await;
    let org_id = org_named(&orgs, "Verified Co").expect("owned")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // Only addresses of the org's domains may join it.
    let (status, policy) = app
        .call(
            "PUT",
            &first.access_token,
            &format!("/api/orgs/{org_id}/policy"),
            Some(serde_json::json!({
                "require_mfa": false, "require_sso": false, "allowed_email_domains": ["acme.test"]
            })),
        )
        .await;
    assert_eq!(status, 200, "{policy}");

    let insider = app.register("insider.verified@acme.test", PASSWORD).await;
    let (_, orgs) = app.api(&insider.access_token).orgs().await;
    assert!(org_named(&orgs, "Verified Co").is_none(), "unverified: not yet");
    assert_eq!(
        app.call(
            "POST",
            &insider.access_token,
            "/api/auth/verify-email/request",
            None
        )
        .await
        .0,
        202
    );
    let mail = app.wait_for_mail("insider.verified@acme.test", 1).await;
    let token = crate::support::token_in_mail(&mail[0]);
    let verified = app
        .post_json("/api/auth/verify-email", &serde_json::json!({ "token": token }))
        .await;
    assert_eq!(verified.status(), 204);
    let (_, orgs) = app.api(&insider.access_token).orgs().await;
    assert_eq!(
        org_named(&orgs, "Verified Co").expect("joined once verified")["role"],
        "developer"
    );

    let outsider = app.register("outsider.verified@elsewhere.test", PASSWORD).await;
    app.call(
        "POST",
        &outsider.access_token,
        "/api/auth/verify-email/request",
        None,
    )
    .await;
    let mail = app.wait_for_mail("outsider.verified@elsewhere.test", 1).await;
    let token = crate::support::token_in_mail(&mail[0]);
    app.post_json("/api/auth/verify-email", &serde_json::json!({ "token": token }))
        .await;
    let (_, orgs) = app.api(&outsider.access_token).orgs().await;
    assert!(
        org_named(&orgs, "Verified Co").is_none(),
        "outside the allowed domains: never"
    );
}

#[tokio::test]
async fn an_org_merely_named_like_the_default_is_never_adopted_and_a_renamed_default_stays() {
    let app = spawn_app_with(|_| {}).await;
    let first = app.register("squat.first@example.com", PASSWORD).await;
    let squatter = app.register("squatter@example.com", PASSWORD).await;
    app.api(&squatter.access_token)
        .create_org(serde_json::json!({ "name": "Company" }))
        .await;
    let out = app.cli(&["users", "list"], &[("TENANTRY_ORGS_DEFAULT_ORG", "company")]);
    assert!(!out.ok, "{}", out.text);
    assert!(
        out.text.contains("default_org_name_taken") || out.text.contains("not created as"),
        "{}",
        out.text
    );

    let sibling = app
        .start_sibling(|config| config.orgs.default_org = Some("Staff".into()))
        .await;
    let (_, orgs) = sibling.api(&first.access_token).orgs().await;
    let staff = org_named(&orgs, "Staff")
        .expect("created, owned by the superadmin")
        .clone();
    let (status, _) = sibling
        .api(&first.access_token)
        .update_org(
            staff["id"].as_str().expect("id"),
            serde_json::json!({ "name": "All Staff" }),
        )
        .await;
    assert_eq!(status, 200);
    let restarted = sibling
        .start_sibling(|config| config.orgs.default_org = Some("Staff".into()))
        .await;
    let newcomer = restarted.register("newcomer.squat@example.com", PASSWORD).await;
    let (_, orgs) = restarted.api(&newcomer.access_token).orgs().await;
    let joined = org_named(&orgs, "All Staff").expect("the renamed default org");
    assert_eq!(joined["id"], staff["id"]);
    assert!(org_named(&orgs, "Staff").is_none(), "no second default org");
}

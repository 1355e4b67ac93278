//! Every change is in the audit log, newest first, keyset-paged.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::support::Cast;
use crate::support::spawn_app;

#[tokio::test]
async fn the_audit_log_records_every_change_newest_first() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "audit", "Audit Corp").await;
    let org = &cast.org;
    let owner = &cast.owner.access_token;
    app.api(owner)
        .update_org(&org, json!({ "name": "Audited Corp" }))
        .await;
    app.api(owner)
        .change_role(&org, &cast.viewer.user_id, json!({ "role": "developer" }))
        .await;
    app.api(owner).remove_member(&org, &cast.viewer.user_id).await;
    let (_, invitation) = app
        .api(owner)
        .invite(&org, json!({ "email": "x@example.com", "role": "viewer" }))
        .await;
    app.api(owner)
        .revoke_invitation(&org, &invitation["id"].as_str().expect("id"))
        .await;
    app.api(owner)
        .transfer_org(&org, json!({ "user_id": cast.admin.user_id }))
        .await;

    // Page through with limit 3; the pages must join up without gaps or repeats.
    let mut entries: Vec<Value> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/api/orgs/{org}/audit-log?limit=3&cursor={cursor}"),
            None => format!("/api/orgs/{org}/audit-log?limit=3"),
        };
        let (status, page) = app.call("GET", &cast.admin.access_token, &path, None).await;
        assert_eq!(status, 200, "{page}");
        entries.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let actions: Vec<&str> = entries
        .iter()
        .map(|entry| entry["action"].as_str().expect("action"))
        .collect();
    assert_eq!(
        actions,
        [
            "ownership.transferred",
            "invitation.revoked",
            "invitation.sent",
            "member.removed",
            "member.role_changed",
            "org.updated",
            "member.added",
            "member.added",
            "member.added",
            "org.created",
        ]
    );
    let ids: HashSet<&str> = entries
        .iter()
        .map(|entry| entry["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids.len(), entries.len(), "no repeats across pages");
    let role_change = &entries[4];
    assert_eq!(
        role_change["detail"],
        json!({ "from": "viewer", "to": "developer" })
    );
    assert_eq!(role_change["actor_id"], cast.owner.user_id.as_str());
    assert_eq!(role_change["target_id"], cast.viewer.user_id.as_str());

    let (status, body) = app
        .call(
            "GET",
            &cast.admin.access_token,
            &format!("/api/orgs/{org}/audit-log?cursor=garbage"),
            None,
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (422, Some("validation_failed")));
}

#[tokio::test]
async fn the_audit_log_filters_by_action_actor_and_time() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "audit-filter", "Filter Corp").await;
    let org = &cast.org;
    let (owner, admin) = (&cast.owner.access_token, &cast.admin.access_token);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let before = chrono::Utc::now();
    app.api(owner)
        .change_role(&org, &cast.viewer.user_id, json!({ "role": "developer" }))
        .await;
    app.api(admin)
        .change_role(&org, &cast.viewer.user_id, json!({ "role": "viewer" }))
        .await;
    app.api(admin)
        .invite(&org, json!({ "email": "y@example.com", "role": "viewer" }))
        .await;
    let list = |query: String| {
        let app = &app;
        async move {
            let (status, page) = app
                .call("GET", admin, &format!("/api/orgs/{org}/audit-log?{query}"), None)
                .await;
            (status, page)
        }
    };
    let actions = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|entry| entry["action"].as_str().expect("action").to_owned())
            .collect()
    };

    let (status, page) = list("action=member.role_changed".into()).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(actions(&page), ["member.role_changed", "member.role_changed"]);

    let (_, page) = list(format!("actor_id={}", cast.admin.user_id)).await;
    assert_eq!(actions(&page), ["invitation.sent", "member.role_changed"]);

    let (_, page) = list(format!(
        "action=member.role_changed&actor_id={}",
        cast.owner.user_id
    ))
    .await;
    assert_eq!(actions(&page), ["member.role_changed"]);
    assert_eq!(page["items"][0]["detail"]["to"], "developer");

    let since = before.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let (_, page) = list(format!("since={since}&limit=100")).await;
    assert_eq!(actions(&page).len(), 3, "only what happened since: {page}");
    let (_, page) = list(format!("until={since}&limit=100")).await;
    let before_actions = actions(&page);
    assert!(
        before_actions
            .iter()
            .all(|action| action != "invitation.sent" && action != "member.role_changed"),
        "only what happened before: {page}"
    );
    assert!(
        before_actions.iter().any(|action| action == "member.added"),
        "what happened before is there: {page}"
    );

    // Paging keeps the filter.
    let (_, first) = list("action=member.role_changed&limit=1".into()).await;
    let cursor = first["next_cursor"].as_str().expect("more");
    let (_, second) = list(format!("action=member.role_changed&limit=1&cursor={cursor}")).await;
    assert_eq!(actions(&second), ["member.role_changed"]);
    assert_ne!(first["items"][0]["id"], second["items"][0]["id"]);
    assert!(second["next_cursor"].is_null());

    let (status, problem) = list("action=member.exploded".into()).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("action"))
    );
}

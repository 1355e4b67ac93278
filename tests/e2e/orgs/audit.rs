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

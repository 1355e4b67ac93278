//! The cast most tests start from: an org with one member of each role, and an outsider.

use serde_json::json;

use super::{PASSWORD, Session, TestApp};

/// An org with one member of each role and an outsider.
pub struct Cast {
    pub org: String,
    pub owner: Session,
    pub admin: Session,
    pub developer: Session,
    pub viewer: Session,
    pub outsider: Session,
    pub outsider_email: String,
}

impl Cast {
    /// The session acting as `role` (`owner`, `admin`, `developer`, `viewer`, `none`).
    pub fn as_role(&self, role: &str) -> &Session {
        match role {
            "owner" => &self.owner,
            "admin" => &self.admin,
            "developer" => &self.developer,
            "viewer" => &self.viewer,
            _ => &self.outsider,
        }
    }
}

/// Registers five users (emails under `tag`) without an org yet.
pub async fn register_cast(app: &TestApp, tag: &str) -> [Session; 5] {
    let mut sessions = Vec::new();
    for role in ["owner", "admin", "developer", "viewer", "outsider"] {
        sessions.push(app.register(&format!("{role}.{tag}@example.com"), PASSWORD).await);
    }
    sessions.try_into().expect("five sessions")
}

/// A fresh shared org owned by `users[0]`, with `users[1..4]` as admin, developer and viewer.
pub async fn org_with_cast(app: &TestApp, users: &[Session; 5], tag: &str, name: &str) -> Cast {
    let [owner, admin, developer, viewer, outsider] = users.clone();
    let (status, org) = app
        .api(&owner.access_token)
        .create_org(json!({ "name": name }))
        .await;
    assert_eq!(status, 201, "create org {name}: {org}");
    let org = org["id"].as_str().expect("org id").to_owned();
    for (role, _) in [("admin", &admin), ("developer", &developer), ("viewer", &viewer)] {
        let (status, body) = app
            .api(&owner.access_token)
            .add_member(
                &org,
                json!({ "email": format!("{role}.{tag}@example.com"), "role": role }),
            )
            .await;
        assert_eq!(status, 201, "add {role}: {body}");
    }
    Cast {
        org,
        owner,
        admin,
        developer,
        viewer,
        outsider,
        outsider_email: format!("outsider.{tag}@example.com"),
    }
}

impl Cast {
    /// Registers a fresh cast (emails under `tag`) and gives them a shared org named `name`.
    pub async fn assemble(app: &TestApp, tag: &str, name: &str) -> Cast {
        let users = register_cast(app, tag).await;
        org_with_cast(app, &users, tag, name).await
    }
}

//! The data directory and the files holding tokens, digests and sealed secrets are the owner's only.

use std::os::unix::fs::PermissionsExt;

use serde_json::json;

use crate::support::ServerProcess;

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn data_directory_database_and_mail_outbox_are_private() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = ServerProcess::start(dir.path(), &[("TENANTRY_MAIL_TRANSPORT", "file")]).await;
    let client = reqwest::Client::new();
    let registered = client
        .post(server.url("/api/auth/register"))
        .json(&json!({ "email": "modes@example.com", "password": "correct horse battery staple" }))
        .send()
        .await
        .expect("register");
    assert_eq!(registered.status(), 201);
    let body: serde_json::Value = registered.json().await.expect("json");
    let verify = client
        .post(server.url("/api/auth/verify-email/request"))
        .bearer_auth(body["access_token"].as_str().expect("token"))
        .send()
        .await
        .expect("request verification");
    assert_eq!(verify.status(), 202);

    let data = dir.path().join("data");
    assert_eq!(mode(&data), 0o700, "data directory");
    for file in [
        "tenantry.db",
        "tenantry.db-wal",
        "keys/jwt.key",
        "keys/secrets.json",
    ] {
        let path = data.join(file);
        if path.exists() || file == "tenantry.db" {
            assert_eq!(mode(&path), 0o600, "{file}");
        }
    }
    let outbox = data.join("mail");
    assert_eq!(mode(&outbox) & 0o077, 0, "mail outbox");
    let mails: Vec<_> = std::fs::read_dir(&outbox)
        .expect("outbox")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    assert!(!mails.is_empty(), "a mail was written");
    for mail in mails {
        assert_eq!(mode(&mail), 0o600, "{}", mail.display());
    }
}

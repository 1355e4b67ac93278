//! A database that has no room left: writes are answered 507 `storage_full` (never 500), reads
//! still work, and `/readyz` says the database is not ready while writes fail.

use serde_json::{Value, json};

use crate::support::{PASSWORD, spawn_app};

#[tokio::test]
async fn a_full_sqlite_database_answers_507_storage_full_and_readyz_sees_it() {
    let migrated = spawn_app().await;
    if migrated.database.is_postgres() {
        eprintln!("skipped: SQLite only (the size bound is an SQLite pragma)");
        return;
    }
    // A second instance on the migrated database, bound below its size: SQLite keeps the bound at
    // that size, so writes fill the pages there are and then fail as on a full disk.
    let app = migrated
        .start_sibling(|config| config.database.sqlite_max_size_bytes = 4096)
        .await;
    let session = app.register("full@example.com", PASSWORD).await;
    let api = app.api(&session.access_token);

    let mut refused = None;
    for n in 0..2000 {
        let (status, body) = api
            .create_conversation(
                &session.org_id,
                json!({ "title": format!("conversation {n} {}", "x".repeat(400)) }),
            )
            .await;
        match status {
            201 => continue,
            _ => {
                refused = Some((n, status, body));
                break;
            }
        }
    }
    let (created, status, body) = refused.expect("the database filled up");
    eprintln!("{created} conversations fitted before the database was full");
    assert_eq!(status, 507, "{body}");
    assert_eq!(body["code"], "storage_full");

    // Reads still answer; readiness reports the database as failing.
    let (status, _) = api.conversations(&session.org_id, "").await;
    assert_eq!(status, 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    let body: Value = ready.json().await.expect("json");
    let database = body["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|check| check["name"] == "database")
        .expect("database check");
    assert_eq!(database["ok"], false, "{body}");
}

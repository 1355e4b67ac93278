//! AEAD binding, key rotation and re-encryption.

use sea_orm::{ConnectionTrait, Database, DatabaseBackend, Statement};
use serde_json::json;

use crate::{
    conversations::create_conversation,
    support::Cast,
    support::{TestApp, spawn_app, tenantry_command},
};

async fn key_ids(app: &TestApp) -> Vec<String> {
    let db = Database::connect(&app.database.url).await.expect("connect");
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT DISTINCT key_id FROM secrets ORDER BY key_id",
        ))
        .await
        .expect("query");
    db.close().await.ok();
    rows.iter()
        .map(|row| row.try_get::<String>("", "key_id").expect("key_id"))
        .collect()
}

#[tokio::test]
async fn a_ciphertext_moved_to_another_row_fails_cleanly() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "aead", "AEAD Co").await;
    let org = &cast.org;
    for (name, value) in [("FIRST", "first-value"), ("SECOND", "second-value")] {
        app.api(&cast.admin.access_token)
            .put_secret(&org, &name, json!({ "value": value, "scope": "org" }))
            .await;
    }
    let id = create_conversation(&app, &cast.admin.access_token, org, json!({})).await;
    let (status, _) = app.api(&cast.admin.access_token).runtime_secrets(&org, &id).await;
    assert_eq!(status, 200);

    // Copy FIRST's ciphertext, nonce and key id over SECOND's, as an attacker with database access might.
    let db = Database::connect(&app.database.url).await.expect("connect");
    let copy = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            "UPDATE secrets AS s SET key_id = f.key_id, nonce = f.nonce, ciphertext = f.ciphertext \
             FROM secrets AS f WHERE f.name = 'FIRST' AND s.name = 'SECOND'"
        }
        _ => {
            "UPDATE secrets SET (key_id, nonce, ciphertext) = \
             (SELECT key_id, nonce, ciphertext FROM secrets WHERE name = 'FIRST') WHERE name = 'SECOND'"
        }
    };
    let moved = db.execute_unprepared(copy).await.expect("copy ciphertext");
    assert_eq!(moved.rows_affected(), 1);
    db.close().await.ok();

    let (status, problem) = app.api(&cast.admin.access_token).runtime_secrets(&org, &id).await;
    assert_eq!(status, 500, "the moved value does not decrypt under its new row");
    assert_eq!(problem["code"], "internal_error");
    assert!(!problem.to_string().contains("first-value"));
}

#[tokio::test]
async fn rotation_and_reencryption_keep_every_value_readable_and_retire_the_old_key() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "rotate", "Rotate Co").await;
    let org = &cast.org;
    app.api(&cast.admin.access_token)
        .put_secret(&org, "OLD", json!({ "value": "sealed-before", "scope": "org" }))
        .await;
    app.api(&cast.admin.access_token)
        .update_org_settings(&org, json!({ "llm_api_key": "sk-before" }))
        .await;
    let before = key_ids(&app).await;
    assert_eq!(before.len(), 1);

    let run = |args: &[&str]| {
        let output = tenantry_command(&app.data_dir)
            .args(args)
            .env("DATABASE_URL", &app.database.url)
            .env("TENANTRY_DATA_DIR", &app.data_dir)
            .output()
            .expect("run tenantry");
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8")
    };
    std::thread::sleep(std::time::Duration::from_millis(1100));
    run(&["keys", "rotate"]);

    // A server started after the rotation seals with the new key and still opens the old values.
    let restarted = app.start_sibling(|_| {}).await;
    restarted
        .api(&cast.admin.access_token)
        .put_secret(&org, "NEW", json!({ "value": "sealed-after", "scope": "org" }))
        .await;
    let mid = key_ids(&restarted).await;
    assert_eq!(mid.len(), 2, "old and new keys in use: {mid:?}");
    let id = create_conversation(&restarted, &cast.admin.access_token, org, json!({})).await;
    let (_, body) = restarted
        .api(&cast.admin.access_token)
        .runtime_secrets(&org, &id)
        .await;
    assert_eq!(
        body["secrets"],
        json!({ "OLD": "sealed-before", "NEW": "sealed-after" })
    );

    let report = run(&["keys", "reencrypt", "--batch", "1"]);
    assert!(report.contains("re-encrypted 2 value(s)"), "{report}");
    let after = key_ids(&restarted).await;
    assert_eq!(after.len(), 1, "only the new key remains: {after:?}");
    assert_ne!(after, before);
    let (_, body) = restarted
        .api(&cast.admin.access_token)
        .runtime_secrets(&org, &id)
        .await;
    assert_eq!(
        body["secrets"],
        json!({ "OLD": "sealed-before", "NEW": "sealed-after" })
    );
    let (_, settings) = restarted.api(&cast.admin.access_token).org_settings(&org).await;
    assert_eq!(settings["llm_api_key_set"], true);
    assert!(
        run(&["keys", "reencrypt"]).contains("re-encrypted 0 value(s)"),
        "resumable: nothing left"
    );
}

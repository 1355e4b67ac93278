//! After the database drops every connection, requests recover without a restart.

use sea_orm::{ConnectionTrait, Database};

use crate::support::spawn_app;

#[tokio::test]
async fn requests_recover_after_postgres_terminates_every_connection() {
    let app = spawn_app().await;
    let (Some(admin_url), Some(name)) = (app.database.postgres_admin_url(), app.database.postgres_name())
    else {
        eprintln!("skipped: PostgreSQL only (set TENANTRY_TEST_DATABASE_URL)");
        return;
    };
    assert_eq!(app.get("/readyz").await.status(), 200);
    let session = app
        .register(
            &format!("recovery-{name}@example.com"),
            "correct horse battery staple",
        )
        .await;
    let before = app.api(&session.access_token).me().await;
    assert_eq!(before.0, 200, "{}", before.1);

    let admin = Database::connect(admin_url).await.expect("admin connection");
    let terminated = admin
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ))
        .await
        .expect("terminate backends");
    assert!(terminated.rows_affected() > 0, "the app had connections to drop");
    admin.close().await.ok();

    for _ in 0..5 {
        assert_eq!(
            app.get("/readyz").await.status(),
            200,
            "every request after the drop succeeds"
        );
        let (status, me) = app.api(&session.access_token).me().await;
        assert_eq!(status, 200, "reads recover too: {me}");
        assert_eq!(me["id"], before.1["id"]);
    }
}

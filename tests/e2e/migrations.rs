//! Every migration goes up, down to zero and up again, through the CLI.

use sea_orm::{ConnectionTrait, Database, Statement};

use crate::support::{TestDatabase, tenantry_command};

fn migrate(database: &TestDatabase, args: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = tenantry_command(dir.path())
        .arg("migrate")
        .args(args)
        .env("DATABASE_URL", &database.url)
        .output()
        .expect("run tenantry migrate");
    assert!(
        output.status.success(),
        "tenantry migrate {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

async fn role_ranks(database: &TestDatabase) -> Result<Vec<(String, i32)>, sea_orm::DbErr> {
    let db = Database::connect(&database.url).await?;
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT name, rank FROM roles ORDER BY rank",
        ))
        .await;
    db.close().await.ok();
    rows?
        .iter()
        .map(|row| Ok((row.try_get("", "name")?, row.try_get("", "rank")?)))
        .collect()
}

#[tokio::test]
async fn migrations_go_up_down_to_zero_and_up_again() {
    let database = TestDatabase::create().await;

    migrate(&database, &["up"]);
    let status = migrate(&database, &["status"]);
    assert!(!status.contains("pending"), "all applied after up:\n{status}");
    let expected = vec![
        ("owner".to_owned(), 0),
        ("admin".to_owned(), 10),
        ("developer".to_owned(), 100),
        ("viewer".to_owned(), 1000),
    ];
    assert_eq!(role_ranks(&database).await.expect("roles seeded"), expected);

    migrate(&database, &["down", "--all"]);
    let status = migrate(&database, &["status"]);
    assert!(
        !status.contains("applied"),
        "none applied after down --all:\n{status}"
    );
    assert!(role_ranks(&database).await.is_err(), "tables dropped");

    migrate(&database, &["up"]);
    assert_eq!(role_ranks(&database).await.expect("roles seeded again"), expected);
}

#[tokio::test]
async fn down_reverts_one_step_by_default() {
    let database = TestDatabase::create().await;
    migrate(&database, &["up"]);
    migrate(&database, &["down"]);
    let status = migrate(&database, &["status"]);
    let pending = status.lines().filter(|line| line.starts_with("pending")).count();
    assert_eq!(pending, 1, "exactly the last migration reverted:\n{status}");
}

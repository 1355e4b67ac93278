//! What only the real binary can show: zero set-up start, graceful shutdown.

use crate::support::ServerProcess;

#[tokio::test]
async fn starts_in_an_empty_directory_and_creates_its_data_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = ServerProcess::start(dir.path(), &[]).await;

    let ready = reqwest::get(server.url("/readyz")).await.expect("request");
    assert_eq!(ready.status(), 200);
    assert!(
        dir.path().join("data/tenantry.db").is_file(),
        "SQLite file under ./data"
    );
    assert!(
        dir.path().join("data/objects").is_dir(),
        "object store under ./data"
    );
}

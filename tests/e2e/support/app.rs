//! A running application on a random port.

use std::path::PathBuf;

use actix_web::dev::ServerHandle;
use tempfile::TempDir;
use tenantry::{Application, Config};

use super::TestDatabase;

/// A server running inside the test process, built exactly as `tenantry serve` builds it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// A client without cookies or redirects.
    pub client: reqwest::Client,
    /// The server's database.
    pub database: TestDatabase,
    /// The data directory (holds the object store by default).
    pub data_dir: PathBuf,
    handle: ServerHandle,
    _data: TempDir,
}

/// Starts an app with the test configuration.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts an app, letting the test adjust the configuration first.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let database = TestDatabase::create().await;
    let data = tempfile::tempdir().expect("temp dir");
    let mut config = Config::load(None).expect("configuration");
    config.bind = "127.0.0.1:0".into();
    config.data_dir = data.path().to_path_buf();
    config.database.url = Some(database.url.clone());
    config.database.max_connections = 8;
    config.storage.url = None;
    config.http.workers = 2;
    config.http.shutdown_timeout_secs = 1;
    adjust(&mut config);

    let app = Application::build(config).await.expect("application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        database,
        data_dir: data.path().to_path_buf(),
        handle,
        _data: data,
    }
}

impl TestApp {
    /// An absolute URL for `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// GET `path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }

    /// POST a raw body with a content type.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .expect("request")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop accepting and let workers wind down; the database is dropped after.
        let handle = self.handle.clone();
        tokio::spawn(async move { handle.stop(false).await });
    }
}

//! A running application on a random port.

use std::{path::PathBuf, sync::Arc};

use actix_web::dev::ServerHandle;
use serde_json::{Value, json};
use tempfile::TempDir;
use tenantry::{Application, Config, config::MailTransport};

use super::TestDatabase;

/// Names an S3-protocol server (e.g. `http://127.0.0.1:5000`): event stores then use S3 there.
pub const S3_ENDPOINT_ENV: &str = "TENANTRY_TEST_S3_ENDPOINT";
/// The bucket S3 test runs use; it must exist.
pub const S3_TEST_BUCKET: &str = "tenantry-test";

/// The HMAC key test servers sign access tokens with, so tests can forge tokens: random for each
/// run (a fixed one would be a published secret, which the server refuses).
pub static TEST_JWT_SECRET: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    (0..3)
        .map(|_| uuid::Uuid::new_v4().simple().to_string())
        .collect()
});

/// A server running inside the test process, built exactly as `tenantry serve` builds it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// A client without cookies or redirects.
    pub client: reqwest::Client,
    /// The server's database.
    pub database: Arc<TestDatabase>,
    /// The data directory (object store, mail outbox).
    pub data_dir: PathBuf,
    /// The configuration it runs with.
    pub config: Config,
    handle: ServerHandle,
    /// The server's own runtime, as in `tenantry serve`: a test blocking its thread (waiting for a
    /// command it runs) never stalls the server's background tasks halfway through a transaction.
    runtime: Option<tokio::runtime::Runtime>,
    s3_prefix: String,
    _data: Arc<TempDir>,
}

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct Session {
    /// The user's id.
    pub user_id: String,
    /// The personal org's id.
    pub org_id: String,
    /// Current access token.
    pub access_token: String,
    /// Current refresh token.
    pub refresh_token: String,
}

/// Starts an app with the test configuration.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts an app, letting the test adjust the configuration first.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let database = Arc::new(TestDatabase::create().await);
    let data = Arc::new(tempfile::tempdir().expect("temp dir"));
    // Every app gets its own prefix in the shared S3 test bucket; its siblings share it.
    let s3_prefix = uuid::Uuid::new_v4().simple().to_string();
    start(database, data, s3_prefix, adjust).await
}

async fn start(
    database: Arc<TestDatabase>,
    data: Arc<TempDir>,
    s3_prefix: String,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    let mut config = Config::load(None).expect("configuration");
    config.bind = "127.0.0.1:0".into();
    config.data_dir = data.path().to_path_buf();
    config.database.url = Some(database.url.clone());
    config.database.max_connections = 8;
    config.storage.url = None;
    if let Ok(endpoint) = std::env::var(S3_ENDPOINT_ENV)
        && !endpoint.is_empty()
    {
        config.storage.url = Some(format!("s3://{S3_TEST_BUCKET}/{s3_prefix}"));
        config.storage.s3_endpoint = Some(endpoint);
        config.storage.s3_region = Some("us-east-1".into());
        config.storage.s3_access_key_id = Some("test".into());
        config.storage.s3_secret_access_key = Some("test".into());
        config.storage.s3_path_style = true;
    }
    config.http.workers = 2;
    config.http.shutdown_timeout_secs = 1;
    config.auth.jwt_secret = Some(TEST_JWT_SECRET.clone().into());
    config.auth.argon2.max_concurrent = 2;
    config.mail.transport = MailTransport::File;
    config.mail.dir = Some(data.path().join("mail"));
    // Tests send bursts; the rate limit tests set their own limits.
    config.rate_limits.per_key = 0;
    config.rate_limits.per_user = 0;
    config.rate_limits.per_org = 0;
    // Sandboxes are registered; the tests of sandboxes Tenantry starts choose the process runtime.
    config.sandboxes.runtime = "none".into();
    adjust(&mut config);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("test-server")
        .enable_all()
        .build()
        .expect("server runtime");
    let built = config.clone();
    let (port, handle, public_url) = runtime
        .spawn(async move {
            let app = Application::build(built).await.expect("application builds");
            let started = (app.port(), app.handle(), app.public_url().to_owned());
            tokio::spawn(app.run_until_stopped());
            started
        })
        .await
        .expect("server starts");
    let address = format!("http://127.0.0.1:{port}");
    // What the server derived when the test set no public URL.
    config.auth.public_url = Some(public_url);
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // Below the server's 5 s keep-alive: a connection idle through a long pause (a command
            // run in between) is never reused just as the server closes it.
            .pool_idle_timeout(std::time::Duration::from_secs(3))
            .build()
            .expect("client"),
        database,
        data_dir: data.path().to_path_buf(),
        config,
        handle,
        runtime: Some(runtime),
        s3_prefix,
        _data: data,
    }
}

/// What a `tenantry` command printed.
pub struct CliOutput {
    /// Exit status 0.
    pub ok: bool,
    /// Standard output, as bytes (an archive) .
    pub stdout: Vec<u8>,
    /// Standard error and output as text.
    pub text: String,
}

impl TestApp {
    /// Where the server tells people and sandboxes to reach it (its public URL).
    pub fn public_url(&self) -> &str {
        self.config
            .auth
            .public_url
            .as_deref()
            .expect("the server's public URL")
    }

    /// `tenantry <args>` set up against this app's database, data directory and object store.
    pub fn cli_command(&self, args: &[&str], envs: &[(&str, &str)]) -> std::process::Command {
        let mut command = super::tenantry_command(&self.data_dir);
        command
            .args(args)
            .env("DATABASE_URL", &self.database.url)
            .env("TENANTRY_DATA_DIR", &self.data_dir)
            .env("TENANTRY_AUTH_JWT_SECRET", TEST_JWT_SECRET.as_str())
            .env("TENANTRY_LOG_LEVEL", "warn")
            .envs(envs.iter().copied());
        let storage = &self.config.storage;
        if let Some(url) = &storage.url {
            command.env("TENANTRY_STORAGE_URL", url);
            for (key, value) in [
                ("TENANTRY_STORAGE_S3_ENDPOINT", &storage.s3_endpoint),
                ("TENANTRY_STORAGE_S3_REGION", &storage.s3_region),
                ("TENANTRY_STORAGE_S3_ACCESS_KEY_ID", &storage.s3_access_key_id),
                (
                    "TENANTRY_STORAGE_S3_SECRET_ACCESS_KEY",
                    &storage
                        .s3_secret_access_key
                        .as_ref()
                        .map(|secret| secret.expose().to_owned()),
                ),
            ] {
                if let Some(value) = value {
                    command.env(key, value);
                }
            }
            command.env(
                "TENANTRY_STORAGE_S3_PATH_STYLE",
                storage.s3_path_style.to_string(),
            );
        }
        command
    }

    /// Runs `tenantry <args>` against this app's database, data directory and object store.
    pub fn cli(&self, args: &[&str], envs: &[(&str, &str)]) -> CliOutput {
        let mut command = self.cli_command(args, envs);
        let output = command.output().expect("run tenantry");
        CliOutput {
            ok: output.status.success(),
            text: format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
            stdout: output.stdout,
        }
    }

    /// Another server on the same database and data directory (a second instance, or a restart).
    pub async fn start_sibling(&self, adjust: impl FnOnce(&mut Config)) -> TestApp {
        start(
            self.database.clone(),
            self._data.clone(),
            self.s3_prefix.clone(),
            adjust,
        )
        .await
    }

    /// Stops the server (in-flight requests finish first); its data stays for a sibling to serve.
    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }

    /// An absolute URL for `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// GET `path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }

    /// GET `path` with a bearer token.
    pub async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    /// POST a JSON body.
    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// POST a JSON body with a bearer token.
    pub async fn post_json_as(&self, token: &str, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
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

    /// The app's object store, opened the way the app opened it (for checking what is stored).
    pub fn object_store(&self) -> std::sync::Arc<dyn object_store::ObjectStore> {
        tenantry_objects::open_object_store(&self.config.storage_url(), &self.config.storage.s3_options())
            .expect("object store")
    }

    /// How many objects are stored under `prefix`.
    pub async fn objects_under(&self, prefix: &str) -> usize {
        use futures::TryStreamExt;
        let prefix = object_store::path::Path::from(prefix);
        let listed: Vec<_> = self
            .object_store()
            .list(Some(&prefix))
            .try_collect()
            .await
            .expect("list objects");
        listed.len()
    }

    /// Any request with a bearer token and an optional JSON body; returns `(status, body)`.
    pub async fn call(&self, method: &str, token: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.client.request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// POST a raw JSON text with a bearer token.
    pub async fn post_raw_as(&self, token: &str, path: &str, body: &'static str) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// Registers a user and returns its first session.
    pub async fn register(&self, email: &str, password: &str) -> Session {
        let response = self
            .post_json(
                "/api/auth/register",
                &json!({ "email": email, "password": password }),
            )
            .await;
        assert_eq!(response.status(), 201, "registration of {email}");
        let body: Value = response.json().await.expect("json");
        Session {
            user_id: body["user"]["id"].as_str().expect("user id").to_owned(),
            org_id: body["org"]["id"].as_str().expect("org id").to_owned(),
            access_token: body["access_token"].as_str().expect("access token").to_owned(),
            refresh_token: body["refresh_token"].as_str().expect("refresh token").to_owned(),
        }
    }

    /// Logs in and returns `(status, body)`.
    pub async fn login(&self, email: &str, password: &str) -> (u16, Value) {
        let response = self
            .post_json(
                "/api/auth/login",
                &json!({ "email": email, "password": password }),
            )
            .await;
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Runs a statement on the app's database directly, as someone with database access would;
    /// returns the rows it affected.
    pub async fn execute_sql(&self, sql: &str) -> u64 {
        use sea_orm::ConnectionTrait;
        let db = sea_orm::Database::connect(&self.database.url)
            .await
            .expect("connect");
        let affected = db.execute_unprepared(sql).await.expect(sql).rows_affected();
        db.close().await.ok();
        affected
    }

    /// The integer the query's first row has in its first column.
    pub async fn query_i64(&self, sql: &str) -> i64 {
        use sea_orm::{ConnectionTrait, Statement};
        let db = sea_orm::Database::connect(&self.database.url)
            .await
            .expect("connect");
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .expect(sql)
            .expect("a row");
        let value: i64 = row.try_get_by_index(0).expect("an integer");
        db.close().await.ok();
        value
    }

    /// The outbox's messages to `to` once there are at least `count` (mail sent after the answer,
    /// such as password resets, arrives a moment later); panics after five seconds.
    pub async fn wait_for_mail(&self, to: &str, count: usize) -> Vec<String> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let mails = self.mail_to(to);
            if mails.len() >= count {
                return mails;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{count} mail(s) to {to} expected, {} arrived",
                mails.len()
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Every message in the mail outbox addressed to `to`, oldest first.
    pub fn mail_to(&self, to: &str) -> Vec<String> {
        let dir = self.data_dir.join("mail");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|path| std::fs::read_to_string(path).expect("read mail"))
            .filter(|text| text.lines().any(|line| line == format!("To: {to}")))
            .collect()
    }
}

/// The single-use token in a message: the line made only of a 43-character URL-safe token.
pub fn token_in_mail(mail: &str) -> String {
    mail.lines()
        .map(str::trim)
        .find(|line| {
            line.len() == 43
                && line
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .unwrap_or_else(|| panic!("no token in mail:\n{mail}"))
        .to_owned()
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        if let Some(runtime) = self.runtime.take() {
            // A runtime cannot be shut down from inside the test's: stop it from a thread of its own.
            std::thread::spawn(move || {
                runtime.block_on(handle.stop(false));
                runtime.shutdown_timeout(std::time::Duration::from_secs(1));
            });
        }
    }
}

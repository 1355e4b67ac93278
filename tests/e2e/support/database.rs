//! A fresh database per test: an SQLite file in a temp dir, or a new PostgreSQL database on the
//! server `TENANTRY_TEST_DATABASE_URL` names (dropped again when the test ends).

use sea_orm::{ConnectionTrait, Database};
use tempfile::TempDir;

/// The environment variable naming a PostgreSQL server to test against.
pub const POSTGRES_ENV: &str = "TENANTRY_TEST_DATABASE_URL";

/// A database that exists for one test.
pub struct TestDatabase {
    /// The URL the app connects to.
    pub url: String,
    /// For PostgreSQL: the admin URL and the database name, to drop it afterwards.
    postgres: Option<(String, String)>,
    _dir: Option<TempDir>,
}

impl TestDatabase {
    /// Creates a fresh database of the configured kind.
    pub async fn create() -> Self {
        match std::env::var(POSTGRES_ENV) {
            Ok(admin_url) if !admin_url.is_empty() => Self::create_postgres(admin_url).await,
            _ => Self::create_sqlite(),
        }
    }

    /// Whether the tests run against PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// The database's name on the PostgreSQL server.
    pub fn postgres_name(&self) -> Option<&str> {
        self.postgres.as_ref().map(|(_, name)| name.as_str())
    }

    /// The admin URL of the PostgreSQL server.
    pub fn postgres_admin_url(&self) -> Option<&str> {
        self.postgres.as_ref().map(|(admin, _)| admin.as_str())
    }

    fn create_sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        Self {
            url,
            postgres: None,
            _dir: Some(dir),
        }
    }

    async fn create_postgres(admin_url: String) -> Self {
        let name = format!("tenantry_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(&admin_url)
            .await
            .expect("connect to PostgreSQL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create test database");
        admin.close().await.ok();
        let mut url = url::Url::parse(&admin_url).expect("valid PostgreSQL URL");
        url.set_path(&name);
        Self {
            url: url.to_string(),
            postgres: Some((admin_url, name)),
            _dir: None,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs outside async context; a short-lived runtime on its own thread does the cleanup.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .await;
                    admin.close().await.ok();
                }
            });
        })
        .join();
    }
}

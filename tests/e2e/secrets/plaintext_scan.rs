//! No secret used anywhere here appears in a response, a log line or a database column.

use std::time::Duration;

use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};

use crate::support::{ServerProcess, TestDatabase};

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn call(
        &self,
        method: &str,
        token: Option<&str>,
        path: &str,
        body: Option<Value>,
    ) -> (u16, String) {
        let mut request = self.http.request(
            reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
            format!("{}{path}", self.base),
        );
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        (response.status().as_u16(), response.text().await.expect("body"))
    }
}

fn field(body: &str, pointer: &str) -> String {
    let value: Value = serde_json::from_str(body).expect("json");
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .expect(pointer)
        .to_owned()
}

/// Every row of every table as text (PostgreSQL), or the raw database files (SQLite).
async fn database_contents(database: &TestDatabase, dir: &std::path::Path) -> Vec<u8> {
    if !database.is_postgres() {
        let mut bytes = Vec::new();
        let file = database
            .url
            .trim_start_matches("sqlite://")
            .split('?')
            .next()
            .expect("path")
            .to_owned();
        for suffix in ["", "-wal", "-shm"] {
            if let Ok(content) = std::fs::read(format!("{file}{suffix}")) {
                bytes.extend(content);
            }
        }
        let _ = dir;
        return bytes;
    }
    let db = Database::connect(&database.url).await.expect("connect");
    let backend = db.get_database_backend();
    let tables = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public'",
        ))
        .await
        .expect("tables");
    let mut text = String::new();
    for table in tables {
        let name: String = table.try_get("", "name").expect("name");
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                format!("SELECT t::text AS row FROM \"{name}\" t"),
            ))
            .await
            .expect("rows");
        for row in rows {
            text.push_str(&row.try_get::<String>("", "row").expect("row"));
            text.push('\n');
        }
    }
    db.close().await.ok();
    text.into_bytes()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[tokio::test]
async fn no_secret_reaches_responses_logs_or_the_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = TestDatabase::create().await;
    let mut server = ServerProcess::start(
        dir.path(),
        &[
            ("DATABASE_URL", &database.url),
            ("TENANTRY_LOG_LEVEL", "debug"),
            ("TENANTRY_MAIL_TRANSPORT", "log"),
        ],
    )
    .await;
    let client = Client {
        http: reqwest::Client::new(),
        base: server.url(""),
    };
    let password = "scan-password-very-secret-1";
    let new_password = "scan-password-very-secret-2";
    let org_llm_key = "sk-scan-org-llm-key-1234567890";
    let member_llm_key = "sk-scan-member-llm-key-0987654321";
    let secret_value = "scan-secret-value-abcdef123456";
    let mut secrets = vec![
        password.to_owned(),
        new_password.to_owned(),
        org_llm_key.to_owned(),
        member_llm_key.to_owned(),
        secret_value.to_owned(),
    ];
    let mut responses = Vec::new();

    let (status, registered) = client
        .call(
            "POST",
            None,
            "/api/auth/register",
            Some(json!({ "email": "scan@example.com", "password": password })),
        )
        .await;
    assert_eq!(status, 201);
    let access = field(&registered, "/access_token");
    let refresh = field(&registered, "/refresh_token");
    secrets.push(refresh.clone());
    let (_, refreshed) = client
        .call(
            "POST",
            None,
            "/api/auth/refresh",
            Some(json!({ "refresh_token": refresh })),
        )
        .await;
    secrets.push(field(&refreshed, "/refresh_token"));
    let (_, org) = client
        .call(
            "POST",
            Some(&access),
            "/api/orgs",
            Some(json!({ "name": "Scan Co" })),
        )
        .await;
    let org = field(&org, "/id");
    responses.push(
        client
            .call(
                "PATCH",
                Some(&access),
                &format!("/api/orgs/{org}/settings"),
                Some(json!({ "llm_api_key": org_llm_key })),
            )
            .await
            .1,
    );
    responses.push(
        client
            .call(
                "PATCH",
                Some(&access),
                &format!("/api/orgs/{org}/settings/me"),
                Some(json!({ "llm_api_key": member_llm_key })),
            )
            .await
            .1,
    );
    responses.push(
        client
            .call(
                "GET",
                Some(&access),
                &format!("/api/orgs/{org}/settings/effective"),
                None,
            )
            .await
            .1,
    );
    responses.push(
        client
            .call(
                "PUT",
                Some(&access),
                &format!("/api/orgs/{org}/secrets/SCAN"),
                Some(json!({ "value": secret_value, "scope": "org" })),
            )
            .await
            .1,
    );
    responses.push(
        client
            .call("GET", Some(&access), &format!("/api/orgs/{org}/secrets"), None)
            .await
            .1,
    );
    let (_, key) = client
        .call(
            "POST",
            Some(&access),
            &format!("/api/orgs/{org}/api-keys"),
            Some(json!({ "name": "scan" })),
        )
        .await;
    let api_key = field(&key, "/key");
    secrets.push(api_key.clone());
    let (_, sandbox) = client
        .call(
            "POST",
            Some(&access),
            &format!("/api/orgs/{org}/sandboxes"),
            Some(
                json!({ "name": "scan", "url": format!("http://127.0.0.1:{}", crate::support::free_port()) }),
            ),
        )
        .await;
    secrets.push(field(&sandbox, "/session_api_key"));
    // Starting a conversation on it decrypts the LLM key and the sandbox key and fails at the agent
    // server (nothing listens): neither the answer nor the log may show them.
    let (status, failed_start) = client
        .call(
            "POST",
            Some(&access),
            &format!("/api/orgs/{org}/conversations"),
            Some(json!({ "sandbox_id": field(&sandbox, "/id"), "initial_message": "hello" })),
        )
        .await;
    assert_eq!(status, 502, "{failed_start}");
    responses.push(failed_start);
    responses.push(
        client
            .call("GET", Some(&access), &format!("/api/orgs/{org}/sandboxes"), None)
            .await
            .1,
    );
    responses.push(
        client
            .call("GET", Some(&api_key), &format!("/api/orgs/{org}/api-keys"), None)
            .await
            .1,
    );
    responses.push(
        client
            .call(
                "POST",
                Some(&access),
                "/api/auth/password-reset/request",
                Some(json!({ "email": "scan@example.com" })),
            )
            .await
            .1,
    );
    responses.push(
        client
            .call(
                "POST",
                Some(&access),
                "/api/auth/password",
                Some(json!({ "current_password": password, "new_password": new_password })),
            )
            .await
            .1,
    );
    responses.push(
        client
            .call(
                "POST",
                None,
                "/api/auth/login",
                Some(json!({ "email": "scan@example.com", "password": "a wrong password" })),
            )
            .await
            .1,
    );

    server.terminate();
    server.wait_for_exit(Duration::from_secs(20)).await;
    let log = ServerProcess::log(dir.path());
    assert!(log.contains("listening"), "the log was captured");
    let stored = database_contents(&database, dir.path()).await;
    assert!(
        contains(&stored, "scan@example.com"),
        "the scan sees the database"
    );

    for secret in &secrets {
        for (n, response) in responses.iter().enumerate() {
            assert!(!response.contains(secret.as_str()), "response {n} shows a secret");
        }
        assert!(!log.contains(secret.as_str()), "the log shows a secret");
        assert!(
            !contains(&stored, secret),
            "the database holds a secret in plaintext"
        );
    }
}

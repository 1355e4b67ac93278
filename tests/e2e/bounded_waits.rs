//! Every wait on a backing service is bounded: a database or object store that hangs (bytes stop
//! flowing, nothing is closed) gives quick 503s with `Retry-After`, `/readyz` answers in time, and
//! agent-server reports waiting on a hung object store leave the database to everyone else.

use std::time::{Duration, Instant};

use futures::future::join_all;
use serde_json::{Value, json};

use crate::support::{PASSWORD, TcpProxy, TestApp, TestDatabase, spawn_app_with};

/// Status, `Retry-After`, body and how long a request took.
struct Answer {
    status: u16,
    retry_after: Option<String>,
    /// Whether it carried `X-Request-Id` and `Cache-Control`, as every answer does.
    usual_headers: bool,
    body: Value,
    took: Duration,
}

async fn send(app: &TestApp, method: &str, token: Option<&str>, path: &str, body: Option<Value>) -> Answer {
    let started = Instant::now();
    let mut request = app.client.request(
        reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
        app.url(path),
    );
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let usual_headers = ["x-request-id", "cache-control"]
        .iter()
        .all(|name| response.headers().contains_key(*name));
    let body = response.json().await.unwrap_or(Value::Null);
    Answer {
        status,
        retry_after,
        usual_headers,
        body,
        took: started.elapsed(),
    }
}

/// A PostgreSQL test database reached through a proxy (plain text), or `None` on SQLite.
async fn proxied_postgres() -> Option<(TestDatabase, TcpProxy, String)> {
    let database = TestDatabase::create().await;
    database.postgres_name()?;
    let mut url = url::Url::parse(&database.url).expect("url");
    let target = format!("{}:{}", url.host_str().expect("host"), url.port().unwrap_or(5432));
    let proxy = TcpProxy::start(target).await;
    url.set_port(Some(proxy.port)).expect("port");
    url.query_pairs_mut().append_pair("sslmode", "disable");
    let proxied = url.to_string();
    Some((database, proxy, proxied))
}

#[tokio::test]
async fn a_frozen_database_gives_503_with_retry_after_within_the_deadline_and_rolls_cut_writes_back() {
    let Some((_database, proxy, proxied)) = proxied_postgres().await else {
        eprintln!("skipped: PostgreSQL only (set TENANTRY_TEST_DATABASE_URL)");
        return;
    };
    let app = spawn_app_with(move |config| {
        config.database.url = Some(proxied);
        config.database.acquire_timeout_ms = 1000;
        config.http.request_deadline_secs = 2;
    })
    .await;
    let owner = app.register("frozen-db@example.com", PASSWORD).await;
    let token = owner.access_token.as_str();
    let org = owner.org_id.clone();
    assert_eq!(
        send(&app, "GET", Some(token), &format!("/api/orgs/{org}"), None)
            .await
            .status,
        200
    );

    proxy.freeze();
    let read = send(&app, "GET", Some(token), &format!("/api/orgs/{org}"), None).await;
    let write = send(
        &app,
        "POST",
        Some(token),
        "/api/orgs",
        Some(json!({ "name": "Created while frozen" })),
    )
    .await;
    let rename = send(
        &app,
        "PATCH",
        Some(token),
        &format!("/api/orgs/{org}"),
        Some(json!({ "name": "Renamed while frozen" })),
    )
    .await;
    for answer in [&read, &write, &rename] {
        assert_eq!(answer.status, 503, "{}", answer.body);
        assert!(answer.retry_after.is_some(), "a 503 says when to retry");
        assert!(answer.usual_headers, "request id and security headers as always");
        assert!(
            answer.took < Duration::from_secs(5),
            "answered within the deadline, not whenever the database does: {:?}",
            answer.took
        );
    }
    let ready = send(&app, "GET", None, "/readyz", None).await;
    assert_eq!(ready.status, 503, "{}", ready.body);
    assert!(ready.retry_after.is_some());
    assert!(
        ready.took < Duration::from_secs(3),
        "/readyz answers within its probes' timeout: {:?}",
        ready.took
    );

    proxy.thaw();
    let thawed = Instant::now();
    loop {
        let answer = send(&app, "GET", Some(token), "/api/orgs", None).await;
        if answer.status == 200 {
            let names: Vec<&str> = answer.body["items"]
                .as_array()
                .or(answer.body.as_array())
                .expect("orgs")
                .iter()
                .filter_map(|org| org["name"].as_str())
                .collect();
            assert!(
                !names.contains(&"Created while frozen") && !names.contains(&"Renamed while frozen"),
                "writes cut at the deadline were rolled back: {names:?}"
            );
            break;
        }
        assert!(thawed.elapsed() < Duration::from_secs(20), "recovers once thawed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let created = send(
        &app,
        "POST",
        Some(token),
        "/api/orgs",
        Some(json!({ "name": "After the thaw" })),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
}

#[tokio::test]
async fn every_503_of_a_database_outage_carries_retry_after() {
    let Some((_database, proxy, proxied)) = proxied_postgres().await else {
        eprintln!("skipped: PostgreSQL only (set TENANTRY_TEST_DATABASE_URL)");
        return;
    };
    let app = spawn_app_with(move |config| {
        config.database.url = Some(proxied);
        config.database.acquire_timeout_ms = 1000;
    })
    .await;
    let owner = app.register("outage-retry@example.com", PASSWORD).await;
    let token = owner.access_token.as_str();
    let org = owner.org_id.clone();

    proxy.cut();
    let answers = [
        send(&app, "GET", Some(token), "/api/auth/me", None).await,
        send(&app, "GET", Some(token), &format!("/api/orgs/{org}"), None).await,
        send(
            &app,
            "POST",
            Some(token),
            "/api/orgs",
            Some(json!({ "name": "During the outage" })),
        )
        .await,
        send(
            &app,
            "POST",
            None,
            "/api/auth/login",
            Some(json!({ "email": "outage-retry@example.com", "password": PASSWORD })),
        )
        .await,
        send(&app, "GET", None, "/readyz", None).await,
    ];
    for answer in &answers {
        assert_eq!(answer.status, 503, "{}", answer.body);
        let secs: u64 = answer
            .retry_after
            .as_deref()
            .expect("Retry-After on every 503")
            .parse()
            .expect("Retry-After in seconds");
        assert!(secs >= 1);
    }
    proxy.restore();
}

/// An S3 endpoint for the tests (moto), if set.
fn s3_endpoint() -> Option<String> {
    std::env::var("TENANTRY_TEST_S3_ENDPOINT")
        .ok()
        .filter(|endpoint| !endpoint.is_empty())
}

#[tokio::test]
async fn reports_waiting_on_a_hung_object_store_leave_connections_for_other_writes() {
    let Some(endpoint) = s3_endpoint() else {
        eprintln!("skipped: needs an S3 endpoint (set TENANTRY_TEST_S3_ENDPOINT)");
        return;
    };
    let target = url::Url::parse(&endpoint).expect("endpoint");
    let proxy = TcpProxy::start(format!(
        "{}:{}",
        target.host_str().expect("host"),
        target.port_or_known_default().expect("port")
    ))
    .await;
    let proxied = format!("http://127.0.0.1:{}", proxy.port);
    let app = spawn_app_with(move |config| {
        config.storage.s3_endpoint = Some(proxied);
        // The store hangs far longer than any request may wait.
        config.storage.request_timeout_ms = 60_000;
        config.storage.max_retries = 0;
        config.database.max_connections = 8;
        config.database.acquire_timeout_ms = 1000;
        config.http.request_deadline_secs = 30;
        config.http.workers = 4;
    })
    .await;
    let owner = app.register("hung-store@example.com", PASSWORD).await;
    let token = owner.access_token.clone();
    let org = owner.org_id.clone();
    let (status, sandbox) = app
        .api(&token)
        .register_sandbox(&org, json!({ "name": "busy" }))
        .await;
    assert_eq!(status, 201, "{sandbox}");
    let key = sandbox["session_api_key"].as_str().expect("key").to_owned();
    let conversation = uuid::Uuid::new_v4().simple().to_string();

    proxy.freeze();
    // Forty agent servers' worth of reports, each waiting on the store.
    let reports = (0..40).map(|n| {
        let (app, key, conversation) = (&app, key.clone(), conversation.clone());
        async move {
            let started = Instant::now();
            let response = app
                .client
                .post(app.url(&format!("/api/v1/webhooks/events/{conversation}")))
                .header("X-Session-API-Key", key)
                .json(&json!([{ "id": format!("event-{n}"), "kind": "MessageEvent" }]))
                .timeout(Duration::from_secs(90))
                .send()
                .await
                .expect("report answered");
            let status = response.status().as_u16();
            let retry_after = response.headers().contains_key("retry-after");
            (status, retry_after, started.elapsed())
        }
    });
    let others = async {
        tokio::time::sleep(Duration::from_millis(2500)).await;
        // Meanwhile logins, creates and renames go through.
        let started = Instant::now();
        let login = send(
            &app,
            "POST",
            None,
            "/api/auth/login",
            Some(json!({ "email": "hung-store@example.com", "password": PASSWORD })),
        )
        .await;
        assert_eq!(login.status, 200, "{}", login.body);
        let created = send(
            &app,
            "POST",
            Some(&token),
            "/api/orgs",
            Some(json!({ "name": "Still writable" })),
        )
        .await;
        assert_eq!(created.status, 201, "{}", created.body);
        let renamed = send(
            &app,
            "PATCH",
            Some(&token),
            &format!("/api/orgs/{org}"),
            Some(json!({ "name": "Renamed meanwhile" })),
        )
        .await;
        assert_eq!(renamed.status, 200, "{}", renamed.body);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "other writes found connections at once: {:?}",
            started.elapsed()
        );
        let ready = send(&app, "GET", None, "/readyz", None).await;
        assert_eq!(ready.status, 503, "the object store is not ready: {}", ready.body);
        assert!(
            ready.took < Duration::from_secs(3),
            "/readyz in time: {:?}",
            ready.took
        );
        proxy.thaw();
    };
    let (outcomes, ()) = tokio::join!(join_all(reports), others);
    let refused = outcomes.iter().filter(|(status, ..)| *status == 503).count();
    for (status, retry_after, _) in &outcomes {
        assert!(matches!(status, 200 | 503), "report answered {status}");
        if *status == 503 {
            assert!(retry_after, "a busy report is told when to retry");
        }
    }
    assert!(refused > 0, "reports beyond the cap were turned away");
    assert!(
        refused < outcomes.len(),
        "reports within the cap were recorded once the store answered"
    );
}

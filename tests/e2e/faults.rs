//! Faults on the real services: the database away, a process killed mid-request.

use std::time::{Duration, Instant};

use futures::future::join_all;
use serde_json::{Value, json};

use crate::support::{ServerProcess, TcpProxy, TestDatabase, spawn_app_with};

/// A proxy in front of a PostgreSQL test database, the database's URL through it (in the clear, so
/// the proxy sees the statements go by) and the database's name; `None`, saying so, on SQLite.
async fn behind_a_proxy(database: &TestDatabase) -> Option<(TcpProxy, String, String)> {
    let Some(name) = database.postgres_name() else {
        eprintln!("skipped: PostgreSQL only (set TENANTRY_TEST_DATABASE_URL)");
        return None;
    };
    let mut url = url::Url::parse(&database.url).expect("url");
    let target = format!("{}:{}", url.host_str().expect("host"), url.port().unwrap_or(5432));
    let proxy = TcpProxy::start(target).await;
    url.set_port(Some(proxy.port)).expect("port");
    url.query_pairs_mut().append_pair("sslmode", "disable");
    Some((proxy, url.to_string(), name.to_owned()))
}

#[tokio::test]
async fn a_database_outage_gives_fast_503s_and_full_recovery_without_a_restart() {
    let database = TestDatabase::create().await;
    let Some((proxy, proxied, name)) = behind_a_proxy(&database).await else {
        return;
    };
    let app = spawn_app_with(move |config| {
        config.database.url = Some(proxied);
        config.database.acquire_timeout_ms = 1000;
    })
    .await;
    let session = app
        .register(
            &format!("outage-{name}@example.com"),
            "correct horse battery staple",
        )
        .await;
    assert_eq!(app.api(&session.access_token).me().await.0, 200);

    proxy.cut();
    let outage = Instant::now();
    while outage.elapsed() < Duration::from_secs(20) {
        let started = Instant::now();
        let (status, problem) = app.api(&session.access_token).me().await;
        assert_eq!(status, 503, "{problem}");
        assert_eq!(problem["code"], "unavailable");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "no hang past the acquire timeout"
        );
        assert_eq!(app.get("/readyz").await.status(), 503);
        assert_eq!(
            app.get("/healthz").await.status(),
            200,
            "the process itself is alive"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    proxy.restore();

    let recovered = Instant::now();
    loop {
        let (status, _) = app.api(&session.access_token).me().await;
        if status == 200 {
            break;
        }
        assert!(
            recovered.elapsed() < Duration::from_secs(10),
            "recovers without a restart"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(app.get("/readyz").await.status(), 200);
    let (status, _) = app
        .api(&session.access_token)
        .create_org(json!({ "name": "After the outage" }))
        .await;
    assert_eq!(status, 201, "writes work again");
}

async fn call(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Option<(u16, Value)> {
    let mut request = client
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
            format!("{base}{path}"),
        )
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.ok()?;
    let status = response.status().as_u16();
    Some((status, response.json().await.unwrap_or(Value::Null)))
}

#[tokio::test]
async fn a_process_killed_mid_request_leaves_no_half_written_state() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = TestDatabase::create().await;
    let envs = [
        ("DATABASE_URL", database.url.as_str()),
        (
            "TENANTRY_AUTH_JWT_SECRET",
            crate::support::TEST_JWT_SECRET.as_str(),
        ),
    ];
    let mut server = ServerProcess::start(dir.path(), &envs).await;
    let client = reqwest::Client::new();
    let base = server.url("");
    let registered: Value = client
        .post(format!("{base}/api/auth/register"))
        .json(&json!({ "email": "kill@example.com", "password": "correct horse battery staple" }))
        .send()
        .await
        .expect("register")
        .json()
        .await
        .expect("json");
    let token = registered["access_token"].as_str().expect("token").to_owned();
    let org = registered["org"]["id"].as_str().expect("org").to_owned();
    let (_, conversation) = call(
        &client,
        &base,
        &token,
        "POST",
        &format!("/api/orgs/{org}/conversations"),
        Some(json!({})),
    )
    .await
    .expect("create");
    let id = conversation["id"].as_str().expect("id").to_owned();
    let events = format!("/api/orgs/{org}/conversations/{id}/events");
    let usage = format!("/api/orgs/{org}/conversations/{id}/usage");

    // Appenders and usage reporters hammer the server; it is killed while they are in flight.
    let workers = (0..12).map(|worker| {
        let (client, base, token, events, usage) = (&client, &base, &token, &events, &usage);
        async move {
            for n in 0..200 {
                let batch: Vec<Value> = (0..20)
                    .map(|i| json!({ "worker": worker, "n": n, "i": i }))
                    .collect();
                if call(client, base, token, "POST", events, Some(Value::Array(batch)))
                    .await
                    .is_none()
                {
                    return;
                }
                let report = json!({ "prompt_tokens": 3, "completion_tokens": 2, "cost": 0.001 });
                if call(client, base, token, "POST", usage, Some(report))
                    .await
                    .is_none()
                {
                    return;
                }
            }
        }
    });
    let killer = async {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let _ = server.child.kill();
    };
    tokio::join!(join_all(workers), killer);
    let _ = server.child.wait();

    let restarted = ServerProcess::start(dir.path(), &envs).await;
    let base = restarted.url("");
    let (_, conversation) = call(
        &client,
        &base,
        &token,
        "GET",
        &format!("/api/orgs/{org}/conversations/{id}"),
        None,
    )
    .await
    .expect("get");
    let count = conversation["event_count"].as_i64().expect("count");
    assert!(count > 0 && count % 20 == 0, "whole batches only: {count}");
    let mut next = Some(0);
    let mut seen = 0;
    while let Some(start) = next {
        let (status, page) = call(
            &client,
            &base,
            &token,
            "GET",
            &format!("{events}?start_id={start}&limit=1000"),
            None,
        )
        .await
        .expect("read");
        assert_eq!(status, 200, "every visible id points at a stored event: {page}");
        for item in page["items"].as_array().expect("items") {
            assert_eq!(item["id"], seen, "dense ids");
            seen += 1;
        }
        next = page["next_start_id"].as_i64();
    }
    assert_eq!(seen, count);
    let prompt = conversation["prompt_tokens"].as_i64().expect("prompt");
    let completion = conversation["completion_tokens"].as_i64().expect("completion");
    assert_eq!(prompt % 3, 0);
    assert_eq!(
        prompt / 3,
        completion / 2,
        "each usage report applied whole or not at all"
    );
    assert_eq!(conversation["total_tokens"].as_i64(), Some(prompt + completion));
}

#[tokio::test]
async fn an_append_whose_commit_is_cut_in_flight_is_found_and_its_events_stay_readable() {
    let database = TestDatabase::create().await;
    let Some((proxy, proxied, name)) = behind_a_proxy(&database).await else {
        return;
    };
    let app = spawn_app_with(move |config| config.database.url = Some(proxied)).await;
    let session = app
        .register(&format!("cut-{name}@example.com"), "correct horse battery staple")
        .await;
    let api = app.api(&session.access_token);
    let (status, conversation) = api
        .create_conversation(&session.org_id, json!({ "title": "cut at commit" }))
        .await;
    assert_eq!(status, 201, "{conversation}");
    let id = conversation["id"].as_str().expect("id").to_owned();
    let mut expected = 0;
    for round in 0..3 {
        // Let the signals of earlier writes go out, so the next COMMIT is the append's.
        tokio::time::sleep(Duration::from_millis(500)).await;
        proxy.cut_at_next_commit();
        let (status, appended) = api
            .append_events(
                &session.org_id,
                &id,
                json!([{ "round": round, "n": 0 }, { "round": round, "n": 1 }]),
            )
            .await;
        assert_eq!(proxy.commits_cut(), round + 1, "the append's commit was cut");
        // The server committed; the app lost the answer and found the segment it had written.
        assert_eq!(status, 201, "{appended}");
        assert_eq!(
            (appended["first_id"].as_i64(), appended["last_id"].as_i64()),
            (Some(expected), Some(expected + 1))
        );
        expected += 2;
        let (status, page) = api.events(&session.org_id, &id, "start_id=0&limit=100").await;
        assert_eq!(status, 200, "every event stays readable: {page}");
        let ids: Vec<i64> = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|event| event["id"].as_i64())
            .collect();
        assert_eq!(ids, (0..expected).collect::<Vec<_>>());
    }
}

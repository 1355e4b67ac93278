//! What only the real binary can show: zero set-up start, graceful shutdown.

use std::{
    io::{Read, Write},
    net::TcpStream,
    time::Duration,
};

use crate::support::{ServerProcess, TestDatabase};

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

#[tokio::test]
async fn sigterm_lets_an_in_flight_request_finish() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = TestDatabase::create().await;
    let mut server = ServerProcess::start(dir.path(), &[("DATABASE_URL", &database.url)]).await;

    // A registration whose body is half sent is in flight when the signal arrives.
    let body = br#"{"email": "inflight@example.com", "password": "correct horse battery staple"}"#;
    let (head, tail) = body.split_at(20);
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    let headers = format!(
        "POST /api/auth/register HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(headers.as_bytes()).expect("send headers");
    stream.write_all(head).expect("send part of the body");
    stream.flush().expect("flush");
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.terminate();
    // Longer than a forced shutdown would wait, well inside the configured grace period.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stream.write_all(tail).expect("finish the body");

    let mut response = String::new();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream.read_to_string(&mut response).expect("read response");
    assert!(response.starts_with("HTTP/1.1 201"), "got {response:?}");

    let status = server.wait_for_exit(Duration::from_secs(20)).await;
    assert!(status.success(), "clean exit after SIGTERM, got {status}");
    // New connections are refused once it is gone.
    assert!(TcpStream::connect(("127.0.0.1", server.port)).is_err());
}

#[tokio::test]
async fn sigterm_ends_open_streams_at_once_and_the_process_exits_in_seconds() {
    use crate::support::{PASSWORD, SseStream};

    let dir = tempfile::tempdir().expect("temp dir");
    let database = TestDatabase::create().await;
    // The grace period is long: only streams ending at once lets the process go in seconds.
    let mut server = ServerProcess::start(
        dir.path(),
        &[
            ("DATABASE_URL", &database.url),
            ("TENANTRY_HTTP_SHUTDOWN_TIMEOUT_SECS", "30"),
        ],
    )
    .await;
    let client = reqwest::Client::new();
    let registered: serde_json::Value = client
        .post(server.url("/api/auth/register"))
        .json(&serde_json::json!({ "email": "reader@example.com", "password": PASSWORD }))
        .send()
        .await
        .expect("register")
        .json()
        .await
        .expect("json");
    let token = registered["access_token"].as_str().expect("token").to_owned();
    let org = registered["org"]["id"].as_str().expect("org").to_owned();
    let conversation: serde_json::Value = client
        .post(server.url(&format!("/api/orgs/{org}/conversations")))
        .bearer_auth(&token)
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let id = conversation["id"].as_str().expect("id").to_owned();

    let open = |path: String| {
        let request = client.get(server.url(&path)).bearer_auth(&token);
        async move { SseStream::new(request.send().await.expect("stream")) }
    };
    let mut events = open(format!("/api/orgs/{org}/conversations/{id}/events/stream")).await;
    let mut activity = open(format!("/api/orgs/{org}/conversations/stream")).await;

    let signalled = std::time::Instant::now();
    server.terminate();
    for stream in [&mut events, &mut activity] {
        let end = stream.next(Duration::from_secs(5)).await.expect("a last event");
        assert_eq!(end.event, "end");
        assert_eq!(end.data["reason"], "shutdown");
    }
    let status = server.wait_for_exit(Duration::from_secs(8)).await;
    assert!(status.success(), "clean exit after SIGTERM, got {status}");
    eprintln!("exited {:?} after SIGTERM", signalled.elapsed());
}

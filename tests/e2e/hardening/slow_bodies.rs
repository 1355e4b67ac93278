//! Clients that send their body a byte at a time: each is answered 408 and cut off once the body
//! deadline passes, only so many bodies are read at once, and a legitimate request still goes
//! through meanwhile.

use std::time::{Duration, Instant};

use serde_json::json;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::support::{PASSWORD, TestApp, spawn_app_with};

/// Opens a login whose headers promise a body it then sends one byte every `every`, until the
/// server answers or closes; returns what the server sent and when it ended.
async fn slow_login(port: u16, every: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut socket = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    let body = br#"{"email": "slow@example.com", "password": "correct horse battery staple"}"#;
    let head = format!(
        "POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).await.expect("headers");
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    for byte in body {
        tokio::select! {
            read = socket.read(&mut buffer) => match read {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buffer[..n]);
                    break;
                }
            },
            () = tokio::time::sleep(every) => {
                if socket.write_all(&[*byte]).await.is_err() {
                    break;
                }
            }
        }
    }
    // Whatever else the server sends before it closes.
    let _ = tokio::time::timeout(Duration::from_secs(2), socket.read_to_end(&mut answer)).await;
    (String::from_utf8_lossy(&answer).into_owned(), started.elapsed())
}

fn port(app: &TestApp) -> u16 {
    app.url("")
        .rsplit(':')
        .next()
        .and_then(|port| port.parse().ok())
        .expect("port")
}

#[tokio::test]
async fn a_body_sent_a_byte_at_a_time_is_cut_off_with_408_while_others_are_served() {
    let app = spawn_app_with(|config| {
        config.http.body_timeout_secs = 2;
        config.http.max_bodies_in_flight = 64;
    })
    .await;
    let session = app.register("legit@example.com", PASSWORD).await;
    let port = port(&app);

    let slow: Vec<_> = (0..20)
        .map(|_| tokio::spawn(slow_login(port, Duration::from_secs(1))))
        .collect();
    // Meanwhile, a client that sends its body at once is served.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (status, body) = app.login("legit@example.com", PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = app.api(&session.access_token).me().await;
    assert_eq!(status, 200);

    for handle in slow {
        let (answer, took) = handle.await.expect("slow client");
        assert!(answer.starts_with("HTTP/1.1 408"), "got {answer:?}");
        assert!(answer.contains("request_timeout"), "{answer}");
        // Deadline 2 s; the whole body would have taken ~75 s.
        assert!(took < Duration::from_secs(6), "held for {took:?}");
    }
}

#[tokio::test]
async fn bodies_beyond_the_reading_budget_are_refused_at_once_and_the_budget_comes_back() {
    let app = spawn_app_with(|config| {
        config.http.body_timeout_secs = 3;
        config.http.max_bodies_in_flight = 4;
    })
    .await;
    let port = port(&app);
    let slow: Vec<_> = (0..4)
        .map(|_| tokio::spawn(slow_login(port, Duration::from_millis(500))))
        .collect();
    tokio::time::sleep(Duration::from_millis(400)).await;

    // The budget is spent: a fifth body is refused without waiting, reads without a body pass.
    let refused = app
        .post_json(
            "/api/auth/login",
            &json!({ "email": "x@example.com", "password": "nope" }),
        )
        .await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "1");
    let problem: serde_json::Value = refused.json().await.expect("problem");
    assert_eq!(problem["code"], "too_many_bodies");
    assert_eq!(app.get("/healthz").await.status(), 200);

    for handle in slow {
        let (answer, _) = handle.await.expect("slow client");
        assert!(answer.starts_with("HTTP/1.1 408"), "got {answer:?}");
    }
    // The slow bodies gave their slots back.
    let (status, _) = app.login("nobody@example.com", "wrong password").await;
    assert_eq!(status, 401);
}

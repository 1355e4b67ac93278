//! Made-up HTTP methods must not create metric series.

use crate::support::spawn_app;

#[tokio::test]
async fn unknown_methods_are_counted_as_other() {
    let app = spawn_app().await;
    for n in 0..20 {
        let method = reqwest::Method::from_bytes(format!("MADEUP{n}").as_bytes()).expect("method");
        app.client
            .request(method, app.url("/healthz"))
            .send()
            .await
            .expect("request");
    }
    let text = app.get("/metrics").await.text().await.expect("text");
    assert!(
        !text.contains("MADEUP"),
        "a made-up method became a label: {text}"
    );
    let other = text
        .lines()
        .find(|line| line.starts_with("tenantry_http_requests_total") && line.contains("method=\"other\""))
        .expect("made-up methods are counted as other");
    assert!(other.ends_with(" 20"), "{other}");
}

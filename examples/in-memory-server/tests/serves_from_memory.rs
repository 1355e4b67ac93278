//! The example serves the whole API from memory: a person registers, signs in, appends events and
//! reads them back, while the database it was configured with stays empty.

use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};

#[tokio::test]
async fn a_person_works_end_to_end_while_the_database_stays_empty() {
    let data = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}/tenantry.db?mode=rwc", data.path().display());
    let mut config = tenantry::Config::load(None).unwrap();
    config.bind = "127.0.0.1:0".into();
    config.data_dir = data.path().to_path_buf();
    config.database.url = Some(database_url.clone());
    config.auth.jwt_secret = Some("an example secret that is long and random enough 81f3".into());
    let app = tenantry_example_in_memory_server::build(config).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let post = |path: &str, token: Option<&str>, body: Value| {
        let mut request = client.post(format!("{base}{path}")).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };

    let registered: Value = post(
        "/api/auth/register",
        None,
        json!({ "email": "ann@example.com", "password": "a long enough passphrase" }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let token = registered["access_token"].as_str().expect("an access token");
    let org = registered["org"]["id"].as_str().expect("a personal org");
    let conversation: Value = post(
        &format!("/api/orgs/{org}/conversations"),
        Some(token),
        json!({ "title": "demo" }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let events_path = format!(
        "/api/orgs/{org}/conversations/{}/events",
        conversation["id"].as_str().unwrap()
    );
    let appended = post(
        &events_path,
        Some(token),
        json!([{ "kind": "message" }, { "kind": "action" }]),
    )
    .await
    .unwrap();
    assert_eq!(appended.status(), 201);
    let page: Value = client
        .get(format!("{base}{events_path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [0, 1]);

    let database = Database::connect(&database_url).await.unwrap();
    let users = database
        .query_one_raw(Statement::from_string(
            database.get_database_backend(),
            "SELECT COUNT(*) AS n FROM users",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(users, 0, "the SQL store was not swapped out");
    handle.stop(true).await;
}

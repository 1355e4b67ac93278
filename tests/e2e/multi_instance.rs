//! Two servers on one database and one object store behave as one service.

use std::collections::HashSet;

use futures::future::join_all;
use serde_json::json;

use crate::{conversations::create_conversation, support::Cast, support::spawn_app};

#[tokio::test]
async fn changes_made_on_one_instance_take_effect_on_the_other_at_the_next_request() {
    let a = spawn_app().await;
    let b = a.start_sibling(|_| {}).await;
    let cast = Cast::assemble(&a, "twins", "Twins Co").await;

    // Role change on A, seen by B.
    assert_eq!(
        b.api(&cast.developer.access_token)
            .create_conversation(&cast.org, json!({}))
            .await
            .0,
        201
    );
    a.api(&cast.admin.access_token)
        .change_role(&cast.org, &cast.developer.user_id, json!({ "role": "viewer" }))
        .await;
    assert_eq!(
        b.api(&cast.developer.access_token)
            .create_conversation(&cast.org, json!({}))
            .await
            .0,
        403
    );

    // API key revoked on B, refused by A.
    let (_, key) = a
        .api(&cast.admin.access_token)
        .create_api_key(&cast.org, json!({ "name": "k" }))
        .await;
    let secret = key["key"].as_str().expect("key");
    assert_eq!(a.api(secret).me().await.0, 200);
    b.api(&cast.admin.access_token)
        .revoke_api_key(&cast.org, &key["id"].as_str().expect("id"))
        .await;
    assert_eq!(a.api(secret).me().await.0, 401);

    // Logout-all on A, refused by B.
    assert_eq!(b.api(&cast.owner.access_token).me().await.0, 200);
    a.api(&cast.owner.access_token).logout_all().await;
    assert_eq!(b.api(&cast.owner.access_token).me().await.0, 401);
}

#[tokio::test]
async fn event_ids_stay_dense_with_appends_spread_over_both_instances() {
    let a = spawn_app().await;
    let b = a.start_sibling(|_| {}).await;
    let cast = Cast::assemble(&a, "spread", "Spread Co").await;
    let token = &cast.developer.access_token;
    let id = create_conversation(&a, token, &cast.org, json!({})).await;

    let appenders = (0..10).map(|task| {
        let instance = if task % 2 == 0 { &a } else { &b };
        let (org, id) = (&cast.org, &id);
        async move {
            let mut ids = Vec::new();
            for n in 0..10 {
                let (status, range) = instance
                    .api(token)
                    .append_events(org, id, json!({ "task": task, "n": n }))
                    .await;
                assert_eq!(status, 201);
                ids.push(range["first_id"].as_i64().expect("id"));
            }
            ids
        }
    });
    let mut ids: Vec<i64> = join_all(appenders).await.into_iter().flatten().collect();
    ids.sort();
    assert_eq!(ids, (0..100).collect::<Vec<_>>());
    let (_, page) = b.api(token).events(&cast.org, &id, "limit=1000").await;
    let read: HashSet<(i64, i64)> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| {
            (
                item["event"]["task"].as_i64().expect("t"),
                item["event"]["n"].as_i64().expect("n"),
            )
        })
        .collect();
    assert_eq!(read.len(), 100);
}

/// Two `tenantry serve` processes on one database and one object store.
#[tokio::test]
async fn two_server_processes_behave_as_one_service() {
    use crate::support::{ServerProcess, TEST_JWT_SECRET, TestDatabase};

    let database = TestDatabase::create().await;
    let shared = tempfile::tempdir().expect("shared data dir");
    let (dir_a, dir_b) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let data_dir = shared.path().to_str().expect("utf-8").to_owned();
    let envs = [
        ("DATABASE_URL", database.url.as_str()),
        ("TENANTRY_DATA_DIR", data_dir.as_str()),
        ("TENANTRY_AUTH_JWT_SECRET", TEST_JWT_SECRET.as_str()),
        ("TENANTRY_AUTH_THROTTLE_ACCOUNT_MAX_FAILURES", "3"),
    ];
    let a = ServerProcess::start(dir_a.path(), &envs).await;
    let b = ServerProcess::start(dir_b.path(), &envs).await;
    let client = reqwest::Client::new();
    let call = |base: String,
                method: &'static str,
                token: Option<String>,
                path: String,
                body: Option<serde_json::Value>| {
        let client = client.clone();
        async move {
            let mut request = client.request(
                reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
                format!("{base}{path}"),
            );
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if let Some(body) = body {
                request = request.json(&body);
            }
            let response = request.send().await.expect("request");
            let status = response.status().as_u16();
            (
                status,
                response.json::<serde_json::Value>().await.unwrap_or_default(),
            )
        }
    };
    let (base_a, base_b) = (a.url(""), b.url(""));
    let password = "correct horse battery staple";
    let (status, registered) = call(
        base_a.clone(),
        "POST",
        None,
        "/api/auth/register".into(),
        Some(json!({ "email": "twin@example.com", "password": password })),
    )
    .await;
    assert_eq!(status, 201);
    let token = registered["access_token"].as_str().expect("token").to_owned();
    let org = registered["org"]["id"].as_str().expect("org").to_owned();

    // Event ids stay dense with appends spread over both processes.
    let (_, conversation) = call(
        base_a.clone(),
        "POST",
        Some(token.clone()),
        format!("/api/orgs/{org}/conversations"),
        Some(json!({})),
    )
    .await;
    let events = format!(
        "/api/orgs/{org}/conversations/{}/events",
        conversation["id"].as_str().expect("id")
    );
    let appends = (0..40).map(|n| {
        let base = if n % 2 == 0 {
            base_a.clone()
        } else {
            base_b.clone()
        };
        call(
            base,
            "POST",
            Some(token.clone()),
            events.clone(),
            Some(json!({ "n": n })),
        )
    });
    let mut ids: Vec<i64> = join_all(appends)
        .await
        .into_iter()
        .map(|(status, range)| {
            assert_eq!(status, 201);
            range["first_id"].as_i64().expect("id")
        })
        .collect();
    ids.sort();
    assert_eq!(ids, (0..40).collect::<Vec<_>>());

    // Login throttling is shared.
    for base in [&base_a, &base_b, &base_a] {
        let body = json!({ "email": "twin@example.com", "password": "wrong password!!" });
        assert_eq!(
            call(base.clone(), "POST", None, "/api/auth/login".into(), Some(body))
                .await
                .0,
            401
        );
    }
    let body = json!({ "email": "twin@example.com", "password": password });
    assert_eq!(
        call(base_b.clone(), "POST", None, "/api/auth/login".into(), Some(body))
            .await
            .0,
        429
    );

    // Logout-all on one process ends the sessions the other serves.
    assert_eq!(
        call(
            base_b.clone(),
            "GET",
            Some(token.clone()),
            "/api/auth/me".into(),
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(
        call(
            base_a.clone(),
            "POST",
            Some(token.clone()),
            "/api/auth/logout-all".into(),
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(
        call(
            base_b.clone(),
            "GET",
            Some(token.clone()),
            "/api/auth/me".into(),
            None
        )
        .await
        .0,
        401
    );
}

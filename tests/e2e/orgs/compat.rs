//! The team-API aliases.

use serde_json::{Value, json};

use crate::support::PASSWORD;
use crate::support::spawn_app;

#[tokio::test]
async fn team_routes_are_aliases_of_the_org_routes() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/api/auth/register-with-team",
            &json!({ "email": "team@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(response.status(), 201);
    app.register("mate@example.com", PASSWORD).await;

    let login = app
        .client
        .post(app.url("/api/auth/jwt/login"))
        .form(&[("username", "team@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .expect("request");
    assert_eq!(login.status(), 200);
    let login: Value = login.json().await.expect("json");
    assert_eq!(login["token_type"], "bearer");
    let token = login["access_token"].as_str().expect("token");

    let (status, me) = app.call("GET", token, "/api/auth/users/me", None).await;
    assert_eq!((status, me["email"].as_str()), (200, Some("team@example.com")));

    let (status, team) = app
        .call("POST", token, "/api/teams/", Some(json!({ "name": "The Team" })))
        .await;
    assert_eq!(status, 201);
    let team_id = team["id"].as_str().expect("id");
    let (status, teams) = app.call("GET", token, "/api/teams/", None).await;
    assert_eq!(status, 200);
    assert_eq!(teams["items"].as_array().expect("items").len(), 2);
    let (status, fetched) = app
        .call("GET", token, &format!("/api/teams/{team_id}"), None)
        .await;
    assert_eq!((status, fetched["name"].as_str()), (200, Some("The Team")));
    let (status, member) = app
        .call(
            "POST",
            token,
            &format!("/api/teams/{team_id}/members"),
            Some(json!({ "email": "mate@example.com", "role": "developer" })),
        )
        .await;
    assert_eq!((status, member["role"].as_str()), (201, Some("developer")));

    let bad = app
        .client
        .post(app.url("/api/auth/jwt/login"))
        .form(&[("username", "team@example.com"), ("password", "wrong password!!")])
        .send()
        .await
        .expect("request");
    assert_eq!(bad.status(), 401);
}

//! A typed client of the HTTP contract: `app.api(token).add_member(org, body)` instead of a method,
//! a formatted path and an optional body. Every call answers `(status, body)` (the body parsed as
//! JSON, `null` when empty), so tests assert exactly what the server said.

use std::fmt::Display;

use serde_json::Value;

use super::TestApp;

/// A status and a JSON body.
pub type Reply = (u16, Value);

/// The API as one caller (a bearer token: an access token or an API key) sees it.
pub struct Api<'a> {
    app: &'a TestApp,
    token: &'a str,
}

impl TestApp {
    /// The API as the holder of `token`.
    pub fn api<'a>(&'a self, token: &'a str) -> Api<'a> {
        Api { app: self, token }
    }
}

impl Api<'_> {
    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        self.app.call(method, self.token, path, body).await
    }

    /// `GET` any path (query strings included).
    pub async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }

    // Identity.

    /// `GET /api/auth/me`.
    pub async fn me(&self) -> Reply {
        self.get("/api/auth/me").await
    }

    /// `POST /api/auth/logout-all`.
    pub async fn logout_all(&self) -> Reply {
        self.send("POST", "/api/auth/logout-all", None).await
    }

    /// `POST /api/auth/password`.
    pub async fn change_password(&self, body: Value) -> Reply {
        self.send("POST", "/api/auth/password", Some(body)).await
    }

    /// `POST /api/auth/refresh`.
    pub async fn refresh(&self, body: Value) -> Reply {
        self.send("POST", "/api/auth/refresh", Some(body)).await
    }

    /// `GET /api/user/settings`.
    pub async fn preferences(&self) -> Reply {
        self.get("/api/user/settings").await
    }

    /// `PATCH /api/user/settings`.
    pub async fn update_preferences(&self, body: Value) -> Reply {
        self.send("PATCH", "/api/user/settings", Some(body)).await
    }

    /// `GET /api/roles`.
    pub async fn roles(&self) -> Reply {
        self.get("/api/roles").await
    }

    // Orgs.

    /// `GET /api/orgs`.
    pub async fn orgs(&self) -> Reply {
        self.get("/api/orgs").await
    }

    /// `POST /api/orgs`.
    pub async fn create_org(&self, body: Value) -> Reply {
        self.send("POST", "/api/orgs", Some(body)).await
    }

    /// `GET /api/orgs/{org}`.
    pub async fn org(&self, org: impl Display) -> Reply {
        self.get(&format!("/api/orgs/{org}")).await
    }

    /// `PATCH /api/orgs/{org}`.
    pub async fn update_org(&self, org: impl Display, body: Value) -> Reply {
        self.send("PATCH", &format!("/api/orgs/{org}"), Some(body)).await
    }

    /// `DELETE /api/orgs/{org}`.
    pub async fn delete_org(&self, org: impl Display) -> Reply {
        self.send("DELETE", &format!("/api/orgs/{org}"), None).await
    }

    /// `POST /api/orgs/{org}/switch`.
    pub async fn switch_org(&self, org: impl Display) -> Reply {
        self.send("POST", &format!("/api/orgs/{org}/switch"), None).await
    }

    /// `POST /api/orgs/{org}/transfer`.
    pub async fn transfer_org(&self, org: impl Display, body: Value) -> Reply {
        self.send("POST", &format!("/api/orgs/{org}/transfer"), Some(body))
            .await
    }

    /// `GET /api/orgs/{org}/audit-log`.
    pub async fn audit_log(&self, org: impl Display) -> Reply {
        self.get(&format!("/api/orgs/{org}/audit-log")).await
    }

    // Members and invitations.

    /// `GET /api/orgs/{org}/members`.
    pub async fn members(&self, org: impl Display) -> Reply {
        self.get(&format!("/api/orgs/{org}/members")).await
    }

    /// `POST /api/orgs/{org}/members`.
    pub async fn add_member(&self, org: impl Display, body: Value) -> Reply {
        self.send("POST", &format!("/api/orgs/{org}/members"), Some(body))
            .await
    }

    /// `PATCH /api/orgs/{org}/members/{user}`.
    pub async fn change_role(&self, org: impl Display, user: impl Display, body: Value) -> Reply {
        self.send("PATCH", &format!("/api/orgs/{org}/members/{user}"), Some(body))
            .await
    }

    /// `DELETE /api/orgs/{org}/members/{user}`.
    pub async fn remove_member(&self, org: impl Display, user: impl Display) -> Reply {
        self.send("DELETE", &format!("/api/orgs/{org}/members/{user}"), None)
            .await
    }

    /// `POST /api/orgs/{org}/invitations`.
    pub async fn invite(&self, org: impl Display, body: Value) -> Reply {
        self.send("POST", &format!("/api/orgs/{org}/invitations"), Some(body))
            .await
    }

    /// `GET /api/orgs/{org}/invitations`.
    pub async fn invitations(&self, org: impl Display) -> Reply {
        self.get(&format!("/api/orgs/{org}/invitations")).await
    }

    /// `DELETE /api/orgs/{org}/invitations/{id}`.
    pub async fn revoke_invitation(&self, org: impl Display, id: impl Display) -> Reply {
        self.send("DELETE", &format!("/api/orgs/{org}/invitations/{id}"), None)
            .await
    }

    /// `POST /api/invitations/accept`.
    pub async fn accept_invitation(&self, body: Value) -> Reply {
        self.send("POST", "/api/invitations/accept", Some(body)).await
    }

    // Conversations.

    /// `POST /api/orgs/{org}/conversations`.
    pub async fn create_conversation(&self, org: impl Display, body: Value) -> Reply {
        self.send("POST", &format!("/api/orgs/{org}/conversations"), Some(body))
            .await
    }

    /// `GET /api/orgs/{org}/conversations?{query}` (`query` may be empty).
    pub async fn conversations(&self, org: impl Display, query: &str) -> Reply {
        let separator = if query.is_empty() { "" } else { "?" };
        self.get(&format!("/api/orgs/{org}/conversations{separator}{query}"))
            .await
    }

    /// `GET /api/orgs/{org}/conversations/{id}`.
    pub async fn conversation(&self, org: impl Display, id: impl Display) -> Reply {
        self.get(&format!("/api/orgs/{org}/conversations/{id}")).await
    }

    /// `PATCH /api/orgs/{org}/conversations/{id}`.
    pub async fn update_conversation(&self, org: impl Display, id: impl Display, body: Value) -> Reply {
        self.send(
            "PATCH",
            &format!("/api/orgs/{org}/conversations/{id}"),
            Some(body),
        )
        .await
    }

    /// `DELETE /api/orgs/{org}/conversations/{id}`.
    pub async fn delete_conversation(&self, org: impl Display, id: impl Display) -> Reply {
        self.send("DELETE", &format!("/api/orgs/{org}/conversations/{id}"), None)
            .await
    }

    /// `POST /api/orgs/{org}/conversations/{id}/events`.
    pub async fn append_events(&self, org: impl Display, id: impl Display, events: Value) -> Reply {
        self.send(
            "POST",
            &format!("/api/orgs/{org}/conversations/{id}/events"),
            Some(events),
        )
        .await
    }

    /// `GET /api/orgs/{org}/conversations/{id}/events?{query}`.
    pub async fn events(&self, org: impl Display, id: impl Display, query: &str) -> Reply {
        self.get(&format!("/api/orgs/{org}/conversations/{id}/events?{query}"))
            .await
    }

    /// `POST /api/orgs/{org}/conversations/{id}/usage`.
    pub async fn add_usage(&self, org: impl Display, id: impl Display, usage: Value) -> Reply {
        self.send(
            "POST",
            &format!("/api/orgs/{org}/conversations/{id}/usage"),
            Some(usage),
        )
        .await
    }

    /// `POST /api/orgs/{org}/conversations/{id}/{action}`: `messages`, `pause` or `resume`.
    pub async fn steer(
        &self,
        org: impl Display,
        id: impl Display,
        action: &str,
        body: Option<Value>,
    ) -> Reply {
        self.send(
            "POST",
            &format!("/api/orgs/{org}/conversations/{id}/{action}"),
            body,
        )
        .await
    }

    // Sandboxes.

    /// `POST /api/orgs/{org}/sandboxes`.
    pub async fn register_sandbox(&self, org: impl Display, body: Value) -> Reply {
        self.send("POST", &format!("/api/orgs/{org}/sandboxes"), Some(body))
            .await
    }

    /// `GET /api/orgs/{org}/sandboxes`.
    pub async fn sandboxes(&self, org: impl Display) -> Reply {
        self.get(&format!("/api/orgs/{org}/sandboxes")).await
    }

    /// `DELETE /api/orgs/{org}/sandboxes/{id}`.
    pub async fn delete_sandbox(&self, org: impl Display, id: impl Display) -> Reply {
        self.send("DELETE", &format!("/api/orgs/{org}/sandboxes/{id}"), None)
            .await
    }

    // Settings, secrets, API keys.

    /// `GET /api/orgs/{org}/settings`.
    pub async fn org_settings(&self, org: impl Display) -> Reply {
        self.get(&format!("/api/orgs/{org}/settings")).await
    }

    /// `PATCH /api/orgs/{org}/settings`.
    pub async fn update_org_settings(&self, org: impl Display, body: Value) -> Reply {
        self.send("PATCH", &format!("/api/orgs/{org}/settings"), Some(body))
            .await
    }

    /// `GET /api/orgs/{org}/secrets`.
    pub async fn secrets(&self, org: impl Display) -> Reply {
        self.get(&format!("/api/orgs/{org}/secrets")).await
    }

    /// `PUT /api/orgs/{org}/secrets/{name}`.
    pub async fn put_secret(&self, org: impl Display, name: impl Display, body: Value) -> Reply {
        self.send("PUT", &format!("/api/orgs/{org}/secrets/{name}"), Some(body))
            .await
    }

    /// `POST /api/orgs/{org}/api-keys`.
    pub async fn create_api_key(&self, org: impl Display, body: Value) -> Reply {
        self.send("POST", &format!("/api/orgs/{org}/api-keys"), Some(body))
            .await
    }
}

impl Api<'_> {
    /// `GET /api/orgs/{org}/conversations/{id}/runtime-secrets`.
    pub async fn runtime_secrets(&self, org: impl Display, id: impl Display) -> Reply {
        self.get(&format!("/api/orgs/{org}/conversations/{id}/runtime-secrets"))
            .await
    }

    /// `DELETE /api/orgs/{org}/secrets/{name}`.
    pub async fn delete_secret(&self, org: impl Display, name: impl Display) -> Reply {
        self.send("DELETE", &format!("/api/orgs/{org}/secrets/{name}"), None)
            .await
    }

    /// `GET /api/orgs/{org}/api-keys?{query}` (`query` may be empty).
    pub async fn api_keys(&self, org: impl Display, query: &str) -> Reply {
        let separator = if query.is_empty() { "" } else { "?" };
        self.get(&format!("/api/orgs/{org}/api-keys{separator}{query}"))
            .await
    }

    /// `DELETE /api/orgs/{org}/api-keys/{id}`.
    pub async fn revoke_api_key(&self, org: impl Display, id: impl Display) -> Reply {
        self.send("DELETE", &format!("/api/orgs/{org}/api-keys/{id}"), None)
            .await
    }

    /// `PATCH /api/orgs/{org}/settings/me`.
    pub async fn update_my_settings(&self, org: impl Display, body: Value) -> Reply {
        self.send("PATCH", &format!("/api/orgs/{org}/settings/me"), Some(body))
            .await
    }

    /// `GET /api/orgs/{org}/settings/effective`.
    pub async fn effective_settings(&self, org: impl Display) -> Reply {
        self.get(&format!("/api/orgs/{org}/settings/effective")).await
    }
}

impl Api<'_> {
    /// Opens `GET /api/orgs/{org}/conversations/{id}/events/stream?{query}`, resuming after
    /// `last_event_id` when given; the raw response (a stream when it is 200).
    pub async fn open_stream(
        &self,
        org: impl Display,
        id: impl Display,
        query: &str,
        last_event_id: Option<i64>,
    ) -> reqwest::Response {
        let mut request = self
            .app
            .client
            .get(self.app.url(&format!(
                "/api/orgs/{org}/conversations/{id}/events/stream?{query}"
            )))
            .bearer_auth(self.token);
        if let Some(last) = last_event_id {
            request = request.header("Last-Event-ID", last.to_string());
        }
        request.send().await.expect("request")
    }
}

impl Api<'_> {
    /// `POST /api/orgs/{org}/conversations/{id}/events/stream-ticket`.
    pub async fn stream_ticket(&self, org: impl Display, id: impl Display) -> Reply {
        self.send(
            "POST",
            &format!("/api/orgs/{org}/conversations/{id}/events/stream-ticket"),
            None,
        )
        .await
    }

    /// `POST /api/orgs/{org}/conversations/{id}/shares`.
    pub async fn share(&self, org: impl Display, id: impl Display, body: Value) -> Reply {
        self.send(
            "POST",
            &format!("/api/orgs/{org}/conversations/{id}/shares"),
            Some(body),
        )
        .await
    }

    /// `GET /api/orgs/{org}/conversations/{id}/shares`.
    pub async fn shares(&self, org: impl Display, id: impl Display) -> Reply {
        self.get(&format!("/api/orgs/{org}/conversations/{id}/shares"))
            .await
    }

    /// `DELETE /api/orgs/{org}/conversations/{id}/shares/{share}`.
    pub async fn revoke_share(&self, org: impl Display, id: impl Display, share: impl Display) -> Reply {
        self.send(
            "DELETE",
            &format!("/api/orgs/{org}/conversations/{id}/shares/{share}"),
            None,
        )
        .await
    }

    /// `POST /api/orgs/{org}/conversations/{id}/reassign`.
    pub async fn reassign(&self, org: impl Display, id: impl Display, body: Value) -> Reply {
        self.send(
            "POST",
            &format!("/api/orgs/{org}/conversations/{id}/reassign"),
            Some(body),
        )
        .await
    }
}

impl TestApp {
    /// `GET {path}` without credentials: a status and a JSON body.
    pub async fn anonymous(&self, path: &str) -> Reply {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

impl Api<'_> {
    /// Opens `GET /api/orgs/{org}/conversations/stream`; the raw response.
    pub async fn open_org_stream(&self, org: impl Display) -> reqwest::Response {
        self.app
            .client
            .get(self.app.url(&format!("/api/orgs/{org}/conversations/stream")))
            .bearer_auth(self.token)
            .send()
            .await
            .expect("request")
    }
}

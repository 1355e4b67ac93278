//! Keyset pagination and filters.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::create_conversation;
use crate::{support::Cast, support::spawn_app};

#[tokio::test]
async fn pages_have_no_duplicates_or_gaps_while_new_conversations_arrive() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "paging", "Paging Co").await;
    let token = &cast.developer.access_token;
    let mut existing = HashSet::new();
    for n in 0..23 {
        existing
            .insert(create_conversation(&app, token, &cast.org, json!({ "title": format!("c{n}") })).await);
    }

    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut last_updated: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/api/orgs/{}/conversations?limit=5&cursor={cursor}", cast.org),
            None => format!("/api/orgs/{}/conversations?limit=5", cast.org),
        };
        let (status, page) = app.call("GET", token, &path, None).await;
        assert_eq!(status, 200, "{page}");
        for item in page["items"].as_array().expect("items") {
            let updated = item["last_updated_at"].as_str().expect("timestamp").to_owned();
            if let Some(previous) = &last_updated {
                assert!(updated <= *previous, "newest first");
            }
            last_updated = Some(updated);
            seen.push(item["id"].as_str().expect("id").to_owned());
        }
        // A newcomer between pages lands before the cursor and must not disturb the walk.
        create_conversation(&app, token, &cast.org, json!({ "title": "newcomer" })).await;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let unique: HashSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no duplicates");
    assert_eq!(
        unique, existing,
        "exactly the conversations that existed when the walk began"
    );
}

#[tokio::test]
async fn filters_narrow_the_list() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app, "filters", "Filters Co").await;
    let dev = &cast.developer.access_token;
    let admin = &cast.admin.access_token;
    create_conversation(
        &app,
        dev,
        &cast.org,
        json!({ "title": "Fix the LOGIN bug", "selected_repository": "acme/web" }),
    )
    .await;
    create_conversation(
        &app,
        dev,
        &cast.org,
        json!({ "title": "100% coverage", "selected_repository": "acme/api" }),
    )
    .await;
    create_conversation(
        &app,
        admin,
        &cast.org,
        json!({ "title": "login page", "visibility": "org" }),
    )
    .await;

    let titles = |page: &Value| -> Vec<String> {
        let mut titles: Vec<String> = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|item| item["title"].as_str().expect("title").to_owned())
            .collect();
        titles.sort();
        titles
    };
    let (_, page) = app.api(dev).conversations(&cast.org, "q=login").await;
    assert_eq!(
        titles(&page),
        ["Fix the LOGIN bug", "login page"],
        "case-insensitive contains"
    );
    let (_, page) = app.api(dev).conversations(&cast.org, "q=100%25").await;
    assert_eq!(titles(&page), ["100% coverage"], "% is taken literally");
    let (_, page) = app.api(dev).conversations(&cast.org, "q=_").await;
    assert!(titles(&page).is_empty(), "_ is taken literally");
    let (_, page) = app.api(dev).conversations(&cast.org, "repository=acme/api").await;
    assert_eq!(titles(&page), ["100% coverage"]);
    let (_, page) = app.api(dev).conversations(&cast.org, "mine=true").await;
    assert_eq!(titles(&page), ["100% coverage", "Fix the LOGIN bug"]);
    let (_, page) = app.api(admin).conversations(&cast.org, "mine=true").await;
    assert_eq!(titles(&page), ["login page"]);
    let (status, page) = app.api(dev).conversations(&cast.org, "limit=0").await;
    assert_eq!((status, page["code"].as_str()), (422, Some("validation_failed")));
    let (status, _) = app.api(dev).conversations(&cast.org, "cursor=bogus").await;
    assert_eq!(status, 422);
}

//! Budgets: limits set by admins, 402 `budget_exceeded` once one is used up while usage is still
//! recorded, the `over_budget` flag, the 80% alert (once, under concurrency), and usage by member and
//! by model.

use chrono::{Datelike, Utc};
use serde_json::{Value, json};

use super::create_conversation;
use crate::support::{Cast, TestApp, assert_budget_exceeded, org_with_cast, register_cast, spawn_app};

async fn set_budget(app: &TestApp, token: &str, org: &str, body: Value) -> (u16, Value) {
    app.call("PUT", token, &format!("/api/orgs/{org}/budget"), Some(body))
        .await
}

async fn usage(app: &TestApp, token: &str, org: &str, id: &str, cost: f64) -> (u16, Value) {
    app.api(token)
        .add_usage(
            org,
            id,
            json!({ "prompt_tokens": 100, "completion_tokens": 10, "cost": cost }),
        )
        .await
}

fn this_month() -> String {
    let now = Utc::now();
    format!("{:04}-{:02}", now.year(), now.month())
}

fn next_month_start() -> String {
    let now = Utc::now();
    let (year, month) = if now.month() == 12 {
        (now.year() + 1, 1)
    } else {
        (now.year(), now.month() + 1)
    };
    format!("{year:04}-{month:02}-01T00:00:00Z")
}

async fn cast(app: &TestApp, tag: &str) -> Cast {
    let users = register_cast(app, tag).await;
    org_with_cast(app, &users, tag, &format!("Budget {tag}")).await
}

fn alerts(audit: &Value) -> usize {
    audit["items"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|entry| entry["action"] == "budget.alert")
        .count()
}

#[tokio::test]
async fn used_up_budgets_refuse_new_work_with_402_while_usage_is_still_recorded() {
    let app = spawn_app().await;
    let cast = cast(&app, "budget402").await;
    let (owner, developer) = (&cast.owner.access_token, &cast.developer.access_token);

    let body = json!({
        "monthly_budget": 10.0,
        "max_budget_per_task": 6.0,
        "member_caps": [{ "user_id": cast.developer.user_id, "monthly_cap": 5.0 }],
    });
    let (status, _) = set_budget(&app, developer, &cast.org, body.clone()).await;
    assert_eq!(status, 403);
    let (status, bad) = set_budget(&app, owner, &cast.org, json!({ "monthly_budget": -1 })).await;
    assert_eq!(status, 422, "{bad}");
    let (status, bad) = set_budget(
        &app,
        owner,
        &cast.org,
        json!({ "member_caps": [{ "user_id": cast.outsider.user_id, "monthly_cap": 1 }] }),
    )
    .await;
    assert_eq!(status, 422, "caps are for members: {bad}");
    let (status, set) = set_budget(&app, &cast.admin.access_token, &cast.org, body).await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(set["monthly_budget"], 10.0);
    let (status, read) = app
        .api(owner)
        .get(&format!("/api/orgs/{}/budget", cast.org))
        .await;
    assert_eq!(
        (status, read["member_caps"][0]["monthly_cap"].as_f64()),
        (200, Some(5.0))
    );

    // The developer spends up to their cap: then they start nothing more.
    let first = create_conversation(&app, developer, &cast.org, json!({ "llm_model": "openai/gpt" })).await;
    assert_eq!(usage(&app, developer, &cast.org, &first, 4.9).await.0, 200);
    let second = create_conversation(
        &app,
        developer,
        &cast.org,
        json!({ "llm_model": "anthropic/claude" }),
    )
    .await;
    let (status, totals) = usage(&app, developer, &cast.org, &second, 0.2).await;
    assert_eq!(status, 200, "{totals}");
    let (_, second_now) = app.api(developer).conversation(&cast.org, &second).await;
    assert_eq!(second_now["over_budget"], true, "beyond the member's cap");
    let (_, first_now) = app.api(developer).conversation(&cast.org, &first).await;
    assert_eq!(first_now["over_budget"], false);
    let (status, refused) = app
        .api(developer)
        .create_conversation(&cast.org, json!({ "title": "one more" }))
        .await;
    assert_budget_exceeded(status, &refused, 5.0, 5.1);
    assert_eq!(refused["resets_at"], next_month_start());

    // The owner is still under the org's budget, until the org is not.
    let third = create_conversation(&app, owner, &cast.org, json!({ "llm_model": "openai/gpt" })).await;
    assert_eq!(usage(&app, owner, &cast.org, &third, 3.0).await.0, 200);
    let fourth = create_conversation(&app, owner, &cast.org, json!({})).await;
    assert_eq!(usage(&app, owner, &cast.org, &fourth, 2.0).await.0, 200);
    let (status, refused) = app.api(owner).create_conversation(&cast.org, json!({})).await;
    assert_budget_exceeded(status, &refused, 10.0, 10.1);
    // Spending is never lost: reports beyond the budget are recorded.
    let (status, totals) = usage(&app, owner, &cast.org, &third, 0.5).await;
    assert_eq!((status, totals["accumulated_cost"].as_f64()), (200, Some(3.5)));
    let (_, third_now) = app.api(owner).conversation(&cast.org, &third).await;
    assert_eq!(third_now["over_budget"], true);

    let (status, month) = app
        .api(&cast.admin.access_token)
        .get(&format!("/api/orgs/{}/usage?period={}", cast.org, this_month()))
        .await;
    assert_eq!(status, 200, "{month}");
    assert_eq!(month["total_cost_micros"], 10_600_000);
    let member_cost = |user: &str| {
        month["by_member"]
            .as_array()
            .expect("members")
            .iter()
            .find(|line| line["user_id"] == user)
            .and_then(|line| line["cost_micros"].as_i64())
    };
    assert_eq!(member_cost(&cast.developer.user_id), Some(5_100_000));
    assert_eq!(member_cost(&cast.owner.user_id), Some(5_500_000));
    let model_cost = |model: Value| {
        month["by_model"]
            .as_array()
            .expect("models")
            .iter()
            .find(|line| line["model"] == model)
            .and_then(|line| line["cost_micros"].as_i64())
    };
    assert_eq!(model_cost(json!("openai/gpt")), Some(8_400_000));
    // Every day of the month is listed; today's holds everything spent (the budget's zone is UTC).
    let days = month["by_day"].as_array().expect("days");
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert!((28..=31).contains(&days.len()), "{days:?}");
    let spent: i64 = days.iter().filter_map(|day| day["cost_micros"].as_i64()).sum();
    assert_eq!(spent, 10_600_000);
    let today_line = days
        .iter()
        .find(|day| day["date"] == today.as_str())
        .expect("today");
    assert!(
        today_line["cost_micros"].as_i64().unwrap_or(0) > 0,
        "{today_line}"
    );
    assert_eq!(model_cost(json!("anthropic/claude")), Some(200_000));
    assert_eq!(model_cost(Value::Null), Some(2_000_000));
    let (status, _) = app
        .api(developer)
        .get(&format!("/api/orgs/{}/usage", cast.org))
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .api(owner)
        .get(&format!("/api/orgs/{}/usage?period=2026-13", cast.org))
        .await;
    assert_eq!(status, 422);
    let (_, earlier) = app
        .api(owner)
        .get(&format!("/api/orgs/{}/usage?period=2001-01", cast.org))
        .await;
    assert_eq!(earlier["total_cost_micros"], 0);

    // Raising the budget lets work start again.
    let (status, _) = set_budget(&app, owner, &cast.org, json!({ "monthly_budget": 100.0 })).await;
    assert_eq!(status, 200);
    let (status, _) = app.api(developer).create_conversation(&cast.org, json!({})).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn fifty_concurrent_reports_crossing_the_line_count_exactly_and_alert_once() {
    let app = spawn_app().await;
    let cast = cast(&app, "budgetrace").await;
    let owner = &cast.owner.access_token;
    let (status, _) = set_budget(&app, owner, &cast.org, json!({ "monthly_budget": 10.0 })).await;
    assert_eq!(status, 200);
    let mut conversations = Vec::new();
    for _ in 0..5 {
        conversations.push(create_conversation(&app, owner, &cast.org, json!({ "llm_model": "m" })).await);
    }
    // 50 × 0.25 = 12.5: the 80% line (8.0) is crossed by exactly one of them, at once.
    let reports = (0..50).map(|n| usage(&app, owner, &cast.org, &conversations[n % 5], 0.25));
    let answers = futures::future::join_all(reports).await;
    assert!(answers.iter().all(|(status, _)| *status == 200), "{answers:?}");
    let (_, month) = app.api(owner).get(&format!("/api/orgs/{}/usage", cast.org)).await;
    assert_eq!(month["total_cost_micros"], 12_500_000, "{month}");
    assert_eq!(month["by_member"][0]["prompt_tokens"], 5_000);
    let (_, audit) = app.api(owner).audit_log(&cast.org).await;
    assert_eq!(alerts(&audit), 1, "{audit}");
    // Mail to the owner and the admin, not to developers.
    for (session, expected) in [(&cast.owner, 1), (&cast.admin, 1), (&cast.developer, 0)] {
        let (_, me) = app.api(&session.access_token).me().await;
        let email = me["email"].as_str().expect("email");
        let mails = app.mail_to(email);
        let alerts = mails.iter().filter(|mail| mail.contains("80%")).count();
        assert_eq!(alerts, expected, "{email}");
    }
    // Every conversation went over with the org.
    let (_, listed) = app.api(owner).conversations(&cast.org, "").await;
    assert!(
        listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|conversation| conversation["over_budget"] == true),
        "{listed}"
    );
}

#[tokio::test]
async fn months_follow_the_time_zone_the_org_sets() {
    let app = spawn_app().await;
    let cast = cast(&app, "budgettz").await;
    let owner = &cast.owner.access_token;
    let (status, read) = app
        .api(owner)
        .get(&format!("/api/orgs/{}/budget", cast.org))
        .await;
    assert_eq!((status, read["time_zone"].as_str()), (200, Some("UTC")));

    // A zone that is not an IANA name is refused, and the budget stays as it was.
    let (status, bad) = set_budget(
        &app,
        owner,
        &cast.org,
        json!({ "monthly_budget": 1.0, "time_zone": "Mars/Olympus_Mons" }),
    )
    .await;
    assert_eq!(status, 422, "{bad}");
    assert!(bad.to_string().contains("time_zone"), "{bad}");
    let (_, read) = app
        .api(owner)
        .get(&format!("/api/orgs/{}/budget", cast.org))
        .await;
    assert_eq!(read["monthly_budget"], Value::Null);

    // Etc/GMT+5 is UTC-5 all year: months begin at 05:00 UTC.
    let (status, set) = set_budget(
        &app,
        owner,
        &cast.org,
        json!({ "monthly_budget": 1.0, "time_zone": "Etc/GMT+5" }),
    )
    .await;
    assert_eq!(
        (status, set["time_zone"].as_str()),
        (200, Some("Etc/GMT+5")),
        "{set}"
    );
    let local = Utc::now() - chrono::Duration::hours(5);
    let local_month = format!("{:04}-{:02}", local.year(), local.month());
    let next_month = chrono::NaiveDate::from_ymd_opt(local.year(), local.month(), 1)
        .and_then(|first| first.checked_add_months(chrono::Months::new(1)))
        .expect("next month");
    let conversation = create_conversation(&app, owner, &cast.org, json!({})).await;
    assert_eq!(usage(&app, owner, &cast.org, &conversation, 1.5).await.0, 200);
    let (status, report) = app.api(owner).get(&format!("/api/orgs/{}/usage", cast.org)).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (report["period"].as_str(), report["total_cost"].as_f64()),
        (Some(local_month.as_str()), Some(1.5))
    );
    let (status, refused) = app.api(owner).create_conversation(&cast.org, json!({})).await;
    assert_eq!(status, 402, "{refused}");
    assert_eq!(
        refused["resets_at"],
        format!("{}T05:00:00Z", next_month.format("%Y-%m-%d"))
    );
}

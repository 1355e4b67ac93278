//! Budgets over the in-memory adapters: the alert is raised once however many reports cross the
//! line together, and a used-up budget refuses new conversations while reports are still counted.

use chrono::{DateTime, Utc};
use tenantry_domain::{
    DomainError, Role,
    budget::BudgetTimeZone,
    clock::Clock,
    ports::UsageReport,
    services::{budgets::BudgetInput, conversations::NewConversationInput},
};

use crate::world::World;

#[tokio::test]
async fn crossing_the_alert_line_together_alerts_once_and_the_full_budget_refuses_new_work() {
    let world = World::new();
    let owner = world.person("owner").await;
    let admin = world.person("admin").await;
    let dev = world.person("dev").await;
    let org = world
        .org_with(
            &owner,
            "Budgeted",
            &[(&admin, Role::Admin), (&dev, Role::Developer)],
        )
        .await;
    world
        .budgets
        .set_budget(
            &admin.caller,
            org,
            BudgetInput {
                monthly: Some(1_000_000),
                ..BudgetInput::default()
            },
        )
        .await
        .unwrap();
    let conversation = world.conversation_in(&dev, org).await;
    let report = UsageReport {
        prompt_tokens: 1,
        completion_tokens: 1,
        cost: 50_000,
    };
    let reports = (0..30).map(|_| {
        world
            .conversations
            .add_usage(&dev.caller, org, conversation.id, report)
    });
    for result in futures::future::join_all(reports).await {
        result.unwrap();
    }
    let alerts = world
        .outbox
        .sent()
        .into_iter()
        .filter(|mail| mail.subject.contains("80%"))
        .count();
    assert_eq!(alerts, 2, "the owner and the admin, once each");
    let stored = world
        .conversations
        .get(&dev.caller, org, conversation.id)
        .await
        .unwrap();
    assert_eq!(stored.accumulated_cost, 1_500_000);
    assert!(stored.over_budget);
    let refused = world
        .conversations
        .create(&dev.caller, org, NewConversationInput::default())
        .await;
    assert!(
        matches!(
            refused,
            Err(DomainError::BudgetExceeded {
                budget: 1_000_000,
                spent: 1_500_000,
                ..
            })
        ),
        "{refused:?}"
    );
}

fn instant(raw: &str) -> DateTime<Utc> {
    raw.parse().expect("instant")
}

#[tokio::test]
async fn months_begin_at_midnight_in_the_orgs_time_zone() {
    let world = World::new();
    let owner = world.person("owner").await;
    let org = world.org_with(&owner, "Kiritimati", &[]).await;
    world
        .budgets
        .set_budget(
            &owner.caller,
            org,
            BudgetInput {
                monthly: Some(1_000_000),
                time_zone: BudgetTimeZone::parse("Pacific/Kiritimati").unwrap(),
                ..BudgetInput::default()
            },
        )
        .await
        .unwrap();
    // Noon UTC on 31 January is 02:00 on 1 February at UTC+14.
    world
        .clock
        .advance(instant("2027-01-31T12:00:00Z") - world.clock.now());
    let conversation = world.conversation_in(&owner, org).await;
    let report = UsageReport {
        prompt_tokens: 1,
        completion_tokens: 1,
        cost: 1_500_000,
    };
    world
        .conversations
        .add_usage(&owner.caller, org, conversation.id, report)
        .await
        .unwrap();
    let current = world.budgets.usage(&owner.caller, org, None).await.unwrap();
    assert_eq!(
        (current.period.key().as_str(), current.summary.total),
        ("2027-02", 1_500_000)
    );
    let spent_days: Vec<_> = current.by_day.iter().filter(|(_, cost)| *cost > 0).collect();
    assert_eq!(spent_days.len(), 1, "{:?}", current.by_day);
    assert_eq!(spent_days[0].1, 1_500_000);
    let january = world
        .budgets
        .usage(&owner.caller, org, Some("2027-01"))
        .await
        .unwrap();
    assert_eq!(january.summary.total, 0);
    assert_eq!(january.by_day.len(), 31);
    let refused = world
        .conversations
        .create(&owner.caller, org, NewConversationInput::default())
        .await;
    match refused {
        Err(DomainError::BudgetExceeded {
            resets_at: Some(resets_at),
            ..
        }) => assert_eq!(resets_at, instant("2027-02-28T10:00:00Z")),
        other => panic!("{other:?}"),
    }
    // At local midnight on 1 March a new month begins with nothing spent.
    world
        .clock
        .advance(instant("2027-02-28T10:00:00Z") - world.clock.now());
    world
        .conversations
        .create(&owner.caller, org, NewConversationInput::default())
        .await
        .unwrap();
}

/// `owner`'s org "Budgeted" with `dev`, where `dev` has already spent `cost` this month.
async fn spent_already(world: &World, cost: i64) -> (crate::world::Person, tenantry_domain::OrgId) {
    let owner = world.person("owner").await;
    let dev = world.person("dev").await;
    let org = world
        .org_with(&owner, "Budgeted", &[(&dev, Role::Developer)])
        .await;
    let conversation = world.conversation_in(&dev, org).await;
    world
        .conversations
        .add_usage(
            &dev.caller,
            org,
            conversation.id,
            UsageReport {
                prompt_tokens: 1,
                completion_tokens: 1,
                cost,
            },
        )
        .await
        .unwrap();
    (owner, org)
}

async fn set_monthly(world: &World, owner: &crate::world::Person, org: tenantry_domain::OrgId, monthly: i64) {
    world
        .budgets
        .set_budget(
            &owner.caller,
            org,
            BudgetInput {
                monthly: Some(monthly),
                ..BudgetInput::default()
            },
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_budget_set_below_what_the_month_spent_alerts_at_once() {
    let world = World::new();
    let (owner, org) = spent_already(&world, 900_000).await;
    set_monthly(&world, &owner, org, 1_000_000).await;
    let alerts: Vec<_> = world
        .outbox
        .sent()
        .into_iter()
        .filter(|mail| mail.subject.contains("80%"))
        .collect();
    assert_eq!(alerts.len(), 1, "the owner, once");
    let log = world.orgs.audit_log(&owner.caller, org, None, 10).await.unwrap();
    assert!(
        log.iter()
            .any(|entry| entry.action == tenantry_domain::AuditAction::BudgetAlert)
    );
}

#[tokio::test]
async fn the_alert_names_the_org_and_links_to_its_usage() {
    let world = World::new();
    let (owner, org) = spent_already(&world, 900_000).await;
    set_monthly(&world, &owner, org, 1_000_000).await;
    let mail = world
        .outbox
        .sent()
        .into_iter()
        .find(|mail| mail.subject.contains("80%"))
        .expect("an alert");
    assert!(mail.subject.starts_with("Budgeted "), "{}", mail.subject);
    assert!(
        mail.body
            .contains(&format!("http://tenantry.test/orgs/{org}/usage")),
        "{}",
        mail.body
    );
}

#[tokio::test]
async fn setting_the_budget_again_does_not_alert_twice_in_a_month() {
    let world = World::new();
    let (owner, org) = spent_already(&world, 900_000).await;
    set_monthly(&world, &owner, org, 1_000_000).await;
    set_monthly(&world, &owner, org, 950_000).await;
    let alerts = world
        .outbox
        .sent()
        .into_iter()
        .filter(|mail| mail.subject.contains("80%"))
        .count();
    assert_eq!(alerts, 1);
}

#[tokio::test]
async fn a_budget_well_above_the_months_spending_alerts_nobody() {
    let world = World::new();
    let (owner, org) = spent_already(&world, 100_000).await;
    set_monthly(&world, &owner, org, 1_000_000).await;
    assert!(
        world
            .outbox
            .sent()
            .iter()
            .all(|mail| !mail.subject.contains("80%"))
    );
}

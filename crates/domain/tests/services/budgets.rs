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
    let (current, usage) = world.budgets.usage(&owner.caller, org, None).await.unwrap();
    assert_eq!((current.key().as_str(), usage.total), ("2027-02", 1_500_000));
    let (_, january) = world
        .budgets
        .usage(&owner.caller, org, Some("2027-01"))
        .await
        .unwrap();
    assert_eq!(january.total, 0);
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

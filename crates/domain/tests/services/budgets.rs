//! Budgets over the in-memory adapters: the alert is raised once however many reports cross the
//! line together, and a used-up budget refuses new conversations while reports are still counted.

use tenantry_domain::{
    DomainError, Role,
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

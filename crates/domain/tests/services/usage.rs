//! Usage totals: exact integer arithmetic, added atomically.

use tenantry_domain::{DomainError, ports::UsageReport, services::conversations::cost_to_micros};

use crate::world::World;

#[tokio::test]
async fn concurrent_reports_add_up_exactly() {
    let world = World::new();
    let dev = world.person("dev").await;
    let org = dev.personal_org;
    let conversation = world.conversation_of(&dev).await;
    let report = UsageReport {
        prompt_tokens: 100,
        completion_tokens: 20,
        cost: cost_to_micros(0.0123).unwrap(),
    };
    let reports = (0..50).map(|_| {
        world
            .conversations
            .add_usage(&dev.caller, org, conversation.id, report)
    });
    for result in futures::future::join_all(reports).await {
        result.unwrap();
    }
    let totals = world
        .conversations
        .get(&dev.caller, org, conversation.id)
        .await
        .unwrap();
    assert_eq!(totals.prompt_tokens, 5_000);
    assert_eq!(totals.completion_tokens, 1_000);
    assert_eq!(totals.total_tokens, 6_000);
    assert_eq!(totals.accumulated_cost, 615_000);
}

#[tokio::test]
async fn negative_usage_is_refused() {
    let world = World::new();
    let dev = world.person("dev").await;
    let conversation = world.conversation_of(&dev).await;
    let refused = world
        .conversations
        .add_usage(
            &dev.caller,
            dev.personal_org,
            conversation.id,
            UsageReport {
                prompt_tokens: -1,
                completion_tokens: 0,
                cost: 0,
            },
        )
        .await;
    assert!(matches!(refused, Err(DomainError::Validation(_))), "{refused:?}");
}

#[test]
fn costs_become_exact_micro_units() {
    assert_eq!(cost_to_micros(0.0123).unwrap(), 12_300);
    assert_eq!(cost_to_micros(1.0).unwrap(), 1_000_000);
    assert!(cost_to_micros(-0.5).is_err());
    assert!(cost_to_micros(f64::NAN).is_err());
}

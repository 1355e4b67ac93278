//! Org settings, member overrides and the fields an org locks.

use serde_json::{Map, Value, json};
use tenantry_domain::{DomainError, Role};

use crate::world::World;

fn body(value: Value) -> Map<String, Value> {
    value.as_object().expect("an object").clone()
}

#[tokio::test]
async fn a_locked_field_keeps_the_org_value_and_refuses_overrides() {
    let world = World::new();
    let (owner, dev) = (world.person("owner").await, world.person("dev").await);
    let org = world.org_with(&owner, "acme", &[(&dev, Role::Developer)]).await;
    world
        .settings
        .update_my_settings(
            &dev.caller,
            org,
            &body(json!({ "llm_model": "mine", "max_iterations": 7 })),
        )
        .await
        .unwrap();
    world
        .settings
        .update_org_settings(
            &owner.caller,
            org,
            &body(json!({ "llm_model": "org-model", "max_iterations": 50, "locked_fields": ["llm_model"] })),
        )
        .await
        .unwrap();

    let effective = world.settings.effective(&dev.caller, org).await.unwrap();
    assert_eq!(effective.values["llm_model"], "org-model");
    assert_eq!(effective.values["max_iterations"], 7);
    let refused = world
        .settings
        .update_my_settings(&dev.caller, org, &body(json!({ "llm_model": "other" })))
        .await;
    assert!(matches!(refused, Err(DomainError::Forbidden)), "{refused:?}");
}

#[tokio::test]
async fn only_admins_change_org_settings() {
    let world = World::new();
    let (owner, dev) = (world.person("owner").await, world.person("dev").await);
    let org = world.org_with(&owner, "acme", &[(&dev, Role::Developer)]).await;
    let refused = world
        .settings
        .update_org_settings(&dev.caller, org, &body(json!({ "llm_model": "x" })))
        .await;
    assert!(matches!(refused, Err(DomainError::Forbidden)), "{refused:?}");
    let unknown = world
        .settings
        .update_org_settings(
            &owner.caller,
            org,
            &body(json!({ "locked_fields": ["no_such_field"] })),
        )
        .await;
    assert!(matches!(unknown, Err(DomainError::Validation(_))), "{unknown:?}");
}

#[tokio::test]
async fn a_secret_setting_is_reported_set_but_never_shown() {
    let world = World::new();
    let owner = world.person("owner").await;
    let org = owner.personal_org;
    let view = world
        .settings
        .update_org_settings(
            &owner.caller,
            org,
            &body(json!({ "llm_api_key": "sk-secret-value" })),
        )
        .await
        .unwrap();
    assert!(view.secrets_set.contains(&"llm_api_key".to_owned()));
    assert!(
        !serde_json::to_string(&view.values)
            .unwrap()
            .contains("sk-secret-value")
    );
}

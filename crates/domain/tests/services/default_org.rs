//! The install's default org: the first account owns it, later ones join it as any org is joined.

use tenantry_domain::{DomainError, Role, invitation_acceptance::JoiningPolicy};

use crate::world::World;

const OPEN: JoiningPolicy = JoiningPolicy {
    require_verified_email: false,
};

async fn role_in_default(world: &World, person: &crate::world::Person) -> Option<Role> {
    world
        .orgs
        .list_mine(&person.caller)
        .await
        .unwrap()
        .into_iter()
        .find(|membership| membership.org.name.as_str() == "Acme")
        .map(|membership| membership.role)
}

#[tokio::test]
async fn the_first_account_owns_it_and_the_next_join_with_the_configured_role() {
    let world = World::with_default_org("Acme", Role::Viewer, OPEN).await;
    let (first, second) = (world.person("first").await, world.person("second").await);
    assert_eq!(role_in_default(&world, &first).await, Some(Role::Owner));
    assert_eq!(role_in_default(&world, &second).await, Some(Role::Viewer));
}

#[tokio::test]
async fn an_unverified_account_joins_once_it_verifies() {
    let world = World::with_default_org(
        "Acme",
        Role::Developer,
        JoiningPolicy {
            require_verified_email: true,
        },
    )
    .await;
    let first = world.person("first").await;
    let later = world.person("later").await;
    assert_eq!(role_in_default(&world, &first).await, Some(Role::Owner));
    assert_eq!(role_in_default(&world, &later).await, None, "not verified yet");
    world.admin.verify_email("later@example.com").await.unwrap();
    assert_eq!(role_in_default(&world, &later).await, Some(Role::Developer));
}

#[tokio::test]
async fn another_org_with_its_name_is_never_adopted() {
    let world = World::new();
    let squatter = world.person("squatter").await;
    world.org_with(&squatter, "Acme", &[]).await;
    let refused = world.orgs.ensure_default_org("acme").await;
    assert!(
        matches!(
            refused,
            Err(DomainError::Conflict {
                code: "default_org_name_taken",
                ..
            })
        ),
        "{refused:?}"
    );
}

#[tokio::test]
async fn setting_it_up_again_finds_the_same_org() {
    let world = World::new();
    let first = world.orgs.ensure_default_org("Acme").await.unwrap();
    let again = world.orgs.ensure_default_org("Another name").await.unwrap();
    assert_eq!(first, again, "the marked org, whatever the configured name now");
}

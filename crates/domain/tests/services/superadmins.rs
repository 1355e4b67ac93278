//! The install keeps one superadmin.

use tenantry_domain::DomainError;

use crate::world::World;

#[tokio::test]
async fn the_first_user_is_superadmin_and_the_last_one_stays() {
    let world = World::new();
    let (first, second) = (world.person("first").await, world.person("second").await);
    assert!(
        world
            .identity
            .active_user(first.user.id)
            .await
            .unwrap()
            .is_superadmin
    );
    assert!(
        !world
            .identity
            .active_user(second.user.id)
            .await
            .unwrap()
            .is_superadmin
    );
    let last = world.admin.revoke_superadmin("first@example.com").await;
    assert!(
        matches!(
            last,
            Err(DomainError::Conflict {
                code: "last_superadmin",
                ..
            })
        ),
        "{last:?}"
    );
    world.admin.grant_superadmin("second@example.com").await.unwrap();
    world.admin.revoke_superadmin("first@example.com").await.unwrap();
    assert!(
        !world
            .identity
            .active_user(first.user.id)
            .await
            .unwrap()
            .is_superadmin
    );
}

#[tokio::test]
async fn two_revocations_at_once_keep_one_superadmin() {
    let world = World::new();
    world.person("first").await;
    world.person("second").await;
    world.admin.grant_superadmin("second@example.com").await.unwrap();
    let (a, b) = tokio::join!(
        world.admin.revoke_superadmin("first@example.com"),
        world.admin.revoke_superadmin("second@example.com"),
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{a:?} {b:?}"
    );
}

#[tokio::test]
async fn two_first_registrations_at_once_make_one_superadmin() {
    let world = World::new();
    let (first, second) = tokio::join!(world.person("first"), world.person("second"));
    let superadmins = [first, second]
        .iter()
        .filter(|person| person.user.is_superadmin)
        .count();
    assert_eq!(superadmins, 1);
}

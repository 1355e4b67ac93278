//! Roles, the last owner, and what leaving takes away.

use tenantry_domain::{DomainError, Role, services::api_keys::NewApiKeyInput};

use crate::world::World;

fn is_conflict(error: &DomainError, wanted: &str) -> bool {
    matches!(error, DomainError::Conflict { code, .. } if *code == wanted)
}

#[tokio::test]
async fn nobody_grants_a_role_above_their_own() {
    let world = World::new();
    let (owner, admin, dev, eve) = (
        world.person("owner").await,
        world.person("admin").await,
        world.person("dev").await,
        world.person("eve").await,
    );
    let org = world
        .org_with(&owner, "acme", &[(&admin, Role::Admin), (&dev, Role::Developer)])
        .await;

    let above = world
        .orgs
        .add_member(&admin.caller, org, "eve@example.com", Role::Owner)
        .await;
    assert!(matches!(above, Err(DomainError::Forbidden)), "{above:?}");
    let by_developer = world
        .orgs
        .add_member(&dev.caller, org, "eve@example.com", Role::Viewer)
        .await;
    assert!(
        matches!(by_developer, Err(DomainError::Forbidden)),
        "{by_developer:?}"
    );
    let added = world
        .orgs
        .add_member(&admin.caller, org, "eve@example.com", Role::Admin)
        .await
        .expect("an admin adds an admin");
    assert_eq!(added.role, Role::Admin);
    let again = world
        .orgs
        .add_member(&owner.caller, org, "eve@example.com", Role::Viewer)
        .await;
    assert!(is_conflict(&again.unwrap_err(), "already_member"));
    let promoted = world
        .orgs
        .change_role(&admin.caller, org, eve.user.id, Role::Owner)
        .await;
    assert!(matches!(promoted, Err(DomainError::Forbidden)), "{promoted:?}");
}

#[tokio::test]
async fn an_outsider_sees_nothing_of_the_org() {
    let world = World::new();
    let (owner, outsider) = (world.person("owner").await, world.person("outsider").await);
    let org = world.org_with(&owner, "acme", &[]).await;
    let members = world.orgs.members(&outsider.caller, org).await;
    assert!(matches!(members, Err(DomainError::NotFound)), "{members:?}");
    let removal = world
        .orgs
        .remove_member(&outsider.caller, org, owner.user.id)
        .await;
    assert!(matches!(removal, Err(DomainError::NotFound)), "{removal:?}");
}

#[tokio::test]
async fn the_last_owner_can_neither_leave_nor_be_demoted() {
    let world = World::new();
    let owner = world.person("owner").await;
    let org = world.org_with(&owner, "acme", &[]).await;
    let leave = world.orgs.remove_member(&owner.caller, org, owner.user.id).await;
    assert!(is_conflict(&leave.unwrap_err(), "last_owner"));
    let demote = world
        .orgs
        .change_role(&owner.caller, org, owner.user.id, Role::Admin)
        .await;
    assert!(is_conflict(&demote.unwrap_err(), "last_owner"));
    let members = world.orgs.members(&owner.caller, org).await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].role, Role::Owner);
}

#[tokio::test]
async fn two_owners_demoting_each_other_at_once_leave_one_owner() {
    let world = World::new();
    let (ann, bob) = (world.person("ann").await, world.person("bob").await);
    let org = world.org_with(&ann, "acme", &[(&bob, Role::Owner)]).await;
    let (first, second) = tokio::join!(
        world.orgs.change_role(&ann.caller, org, bob.user.id, Role::Admin),
        world.orgs.change_role(&bob.caller, org, ann.user.id, Role::Admin),
    );
    assert_eq!(
        [first.is_ok(), second.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{first:?} {second:?}"
    );
    let owners = world
        .orgs
        .members(&ann.caller, org)
        .await
        .unwrap()
        .into_iter()
        .filter(|member| member.role == Role::Owner)
        .count();
    assert_eq!(owners, 1);
}

#[tokio::test]
async fn a_removed_member_loses_keys_invitations_and_current_org_at_once() {
    let world = World::new();
    let (owner, admin) = (world.person("owner").await, world.person("admin").await);
    let org = world.org_with(&owner, "acme", &[(&admin, Role::Admin)]).await;
    world.orgs.switch(&admin.caller, org).await.unwrap();
    let (_, key) = world
        .api_keys
        .create(
            &admin.caller,
            org,
            NewApiKeyInput {
                name: "ci".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    world
        .orgs
        .invite(&admin.caller, org, "new@example.com", Role::Developer)
        .await
        .unwrap();
    assert!(world.api_keys.authenticate(key.expose()).await.is_ok());

    world
        .orgs
        .remove_member(&owner.caller, org, admin.user.id)
        .await
        .unwrap();

    let key_use = world.api_keys.authenticate(key.expose()).await;
    assert!(
        matches!(key_use, Err(DomainError::Unauthorized(_))),
        "{key_use:?}"
    );
    assert!(
        world
            .orgs
            .invitations(&owner.caller, org)
            .await
            .unwrap()
            .is_empty()
    );
    let user = world.identity.active_user(admin.user.id).await.unwrap();
    assert_eq!(user.current_org_id, Some(admin.personal_org));
    let log = world.orgs.audit_log(&owner.caller, org, None, 10).await.unwrap();
    assert_eq!(log[0].action, tenantry_domain::AuditAction::MemberRemoved);
    assert_eq!(log[0].detail["invitations_revoked"], 1);
}

#[tokio::test]
async fn ownership_moves_and_the_giver_becomes_admin() {
    let world = World::new();
    let (ann, bob) = (world.person("ann").await, world.person("bob").await);
    let org = world.org_with(&ann, "acme", &[(&bob, Role::Developer)]).await;
    let mine = world.orgs.transfer(&ann.caller, org, bob.user.id).await.unwrap();
    assert_eq!(mine.role, Role::Admin);
    let bob_now = world.orgs.membership(&bob.caller, org).await.unwrap();
    assert_eq!(bob_now.role, Role::Owner);
    let back = world.orgs.transfer(&ann.caller, org, ann.user.id).await;
    assert!(back.is_err());
}

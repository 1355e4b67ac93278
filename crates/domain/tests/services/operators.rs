//! The operator API's use cases: superadmins only, whatever their roles in orgs.

use tenantry_domain::{
    DomainError, Role,
    ports::{OrgSearch, UserSearch},
};

use crate::world::World;

fn all() -> UserSearch {
    UserSearch {
        limit: 100,
        ..UserSearch::default()
    }
}

#[tokio::test]
async fn an_org_owner_is_not_an_operator() {
    let world = World::new();
    let (root, owner) = (world.person("root").await, world.person("owner").await);
    world.org_with(&owner, "acme", &[(&root, Role::Viewer)]).await;
    let refused = world.operators.users(&owner.caller, &all()).await;
    assert!(
        matches!(
            refused,
            Err(DomainError::Refused {
                code: "superadmin_required",
                ..
            })
        ),
        "{refused:?}"
    );
    let root = world.identity.active_user(root.user.id).await.unwrap();
    let root = tenantry_domain::Caller::person(root, None);
    assert_eq!(world.operators.users(&root, &all()).await.unwrap().len(), 2);
}

#[tokio::test]
async fn operators_find_accounts_by_any_case_and_disable_them_but_not_themselves() {
    let world = World::new();
    let root = world.person("root").await;
    let root = tenantry_domain::Caller::person(world.identity.active_user(root.user.id).await.unwrap(), None);
    let grace = world.person("GraceHopper").await;
    let search = UserSearch {
        text: Some("gracehop".into()),
        ..all()
    };
    let found = world.operators.users(&root, &search).await.unwrap();
    assert_eq!(
        found.iter().map(|user| user.id).collect::<Vec<_>>(),
        [grace.user.id]
    );

    let disabled = world.operators.disable(&root, grace.user.id).await.unwrap();
    assert!(disabled.disabled_at.is_some());
    let only_disabled = UserSearch {
        disabled: Some(true),
        ..all()
    };
    assert_eq!(
        world.operators.users(&root, &only_disabled).await.unwrap().len(),
        1
    );
    let own = world.operators.disable(&root, root.user.id).await;
    assert!(
        matches!(
            own,
            Err(DomainError::Conflict {
                code: "cannot_disable_self",
                ..
            })
        ),
        "{own:?}"
    );
    let enabled = world.operators.enable(&root, grace.user.id).await.unwrap();
    assert!(enabled.disabled_at.is_none());
}

#[tokio::test]
async fn orgs_are_listed_with_their_members_and_this_months_spending() {
    let world = World::new();
    let root = world.person("root").await;
    let member = world.person("member").await;
    let org = world
        .org_with(&root, "Spenders", &[(&member, Role::Developer)])
        .await;
    let conversation = world.conversation_in(&root, org).await;
    world
        .conversations
        .add_usage(
            &root.caller,
            org,
            conversation.id,
            tenantry_domain::ports::UsageReport {
                prompt_tokens: 1,
                completion_tokens: 1,
                cost: 3_000_000,
            },
        )
        .await
        .unwrap();
    let root = tenantry_domain::Caller::person(world.identity.active_user(root.user.id).await.unwrap(), None);
    let orgs = world
        .operators
        .orgs(
            &root,
            &OrgSearch {
                text: Some("spend".into()),
                limit: 10,
                ..OrgSearch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(orgs.len(), 1);
    assert_eq!((orgs[0].org.members, orgs[0].month_spend), (2, 3_000_000));
    let (_, spending) = world.operators.spending(&root, None).await.unwrap();
    assert_eq!(spending.len(), 1);
    assert_eq!((spending[0].org_id, spending[0].cost), (org, 3_000_000));
}

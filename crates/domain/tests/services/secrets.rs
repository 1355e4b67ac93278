//! Secrets: who may set them, who sees their values, and that a value never leaves but to its
//! conversation's runtime.

use tenantry_domain::{
    DomainError, Role, SecretString,
    secrets::SecretScope,
    services::{conversations::NewConversationInput, secrets::PutSecretInput},
};

use crate::world::World;

fn input(value: &str, scope: SecretScope) -> PutSecretInput {
    PutSecretInput {
        value: SecretString::new(value),
        description: None,
        scope,
    }
}

#[tokio::test]
async fn a_developer_keeps_secrets_of_their_own() {
    let world = World::new();
    let (owner, dev) = (world.person("owner").await, world.person("dev").await);
    let org = world.org_with(&owner, "acme", &[(&dev, Role::Developer)]).await;
    world
        .secrets
        .put(
            &dev.caller,
            org,
            "GITHUB_TOKEN",
            input("ghp_1", SecretScope::User),
        )
        .await
        .unwrap();
    let listed = world.secrets.list(&dev.caller, org).await.unwrap();
    assert_eq!(listed.len(), 1);
}

#[tokio::test]
async fn a_developer_cannot_set_an_org_secret() {
    let world = World::new();
    let (owner, dev) = (world.person("owner").await, world.person("dev").await);
    let org = world.org_with(&owner, "acme", &[(&dev, Role::Developer)]).await;
    let refused = world
        .secrets
        .put(&dev.caller, org, "SHARED", input("v", SecretScope::Org))
        .await;
    assert!(matches!(refused, Err(DomainError::Forbidden)), "{refused:?}");
}

#[tokio::test]
async fn a_viewer_cannot_keep_secrets() {
    let world = World::new();
    let (owner, viewer) = (world.person("owner").await, world.person("viewer").await);
    let org = world.org_with(&owner, "acme", &[(&viewer, Role::Viewer)]).await;
    let refused = world
        .secrets
        .put(&viewer.caller, org, "MINE", input("v", SecretScope::User))
        .await;
    assert!(matches!(refused, Err(DomainError::Forbidden)), "{refused:?}");
}

#[tokio::test]
async fn a_members_own_secret_is_not_listed_to_another_member() {
    let world = World::new();
    let (owner, dev) = (world.person("owner").await, world.person("dev").await);
    let org = world.org_with(&owner, "acme", &[(&dev, Role::Developer)]).await;
    world
        .secrets
        .put(&dev.caller, org, "MINE", input("v", SecretScope::User))
        .await
        .unwrap();
    assert!(world.secrets.list(&owner.caller, org).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_conversations_runtime_gets_its_creators_secrets_and_the_orgs() {
    let world = World::new();
    let (owner, dev) = (world.person("owner").await, world.person("dev").await);
    let org = world.org_with(&owner, "acme", &[(&dev, Role::Developer)]).await;
    world
        .secrets
        .put(&owner.caller, org, "SHARED", input("org value", SecretScope::Org))
        .await
        .unwrap();
    world
        .secrets
        .put(&dev.caller, org, "MINE", input("dev value", SecretScope::User))
        .await
        .unwrap();
    let conversation = world
        .conversations
        .create(&dev.caller, org, NewConversationInput::default())
        .await
        .unwrap();
    let values = world
        .secrets
        .runtime_values(&dev.caller, org, conversation.id)
        .await
        .unwrap();
    assert_eq!(values["SHARED"].expose(), "org value");
    assert_eq!(values["MINE"].expose(), "dev value");
}

#[tokio::test]
async fn another_developer_cannot_read_a_conversations_secrets() {
    let world = World::new();
    let (owner, dev, other) = (
        world.person("owner").await,
        world.person("dev").await,
        world.person("other").await,
    );
    let org = world
        .org_with(
            &owner,
            "acme",
            &[(&dev, Role::Developer), (&other, Role::Developer)],
        )
        .await;
    let conversation = world
        .conversations
        .create(&dev.caller, org, NewConversationInput::default())
        .await
        .unwrap();
    let refused = world
        .secrets
        .runtime_values(&other.caller, org, conversation.id)
        .await;
    assert!(
        matches!(refused, Err(DomainError::Forbidden | DomainError::NotFound)),
        "{refused:?}"
    );
}

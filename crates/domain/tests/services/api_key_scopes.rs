//! API keys: bound to one org, scoped, revocable, unable to mint more keys.

use chrono::Duration;
use tenantry_domain::{DomainError, Role, api_key::SCOPE_SECRETS_READ, services::api_keys::NewApiKeyInput};

use crate::world::World;

fn input(scopes: &[&str]) -> NewApiKeyInput {
    NewApiKeyInput {
        name: "ci".into(),
        expires_at: None,
        scopes: scopes.iter().map(|scope| (*scope).to_owned()).collect(),
    }
}

#[tokio::test]
async fn a_key_acts_in_its_org_with_its_scopes_only() {
    let world = World::new();
    let dev = world.person("dev").await;
    let owner = world.person("owner").await;
    let org = world.org_with(&owner, "acme", &[(&dev, Role::Developer)]).await;
    let (_, plain) = world.api_keys.create(&dev.caller, org, input(&[])).await.unwrap();
    let (_, scoped) = world
        .api_keys
        .create(&dev.caller, org, input(&["secrets:read"]))
        .await
        .unwrap();

    let caller = world.api_keys.authenticate(plain.expose()).await.unwrap();
    assert!(!caller.has_scope(SCOPE_SECRETS_READ));
    assert!(
        world
            .api_keys
            .authenticate(scoped.expose())
            .await
            .unwrap()
            .has_scope(SCOPE_SECRETS_READ)
    );
    assert!(world.orgs.members(&caller, org).await.is_ok());
    let elsewhere = world.orgs.members(&caller, dev.personal_org).await;
    assert!(matches!(elsewhere, Err(DomainError::NotFound)), "{elsewhere:?}");
    let minted = world.api_keys.create(&caller, org, input(&[])).await;
    assert!(minted.is_err(), "a key minted a key: {minted:?}");
    let unknown = world
        .api_keys
        .create(&dev.caller, org, input(&["admin:all"]))
        .await;
    assert!(matches!(unknown, Err(DomainError::Validation(_))), "{unknown:?}");
}

#[tokio::test]
async fn a_revoked_or_expired_key_fails_at_its_next_use() {
    let world = World::new();
    let dev = world.person("dev").await;
    let org = dev.personal_org;
    let (revoked, revoked_plain) = world.api_keys.create(&dev.caller, org, input(&[])).await.unwrap();
    let (_, expiring) = world
        .api_keys
        .create(
            &dev.caller,
            org,
            NewApiKeyInput {
                expires_at: Some(
                    tenantry_domain::clock::Clock::now(world.clock.as_ref()) + Duration::hours(1),
                ),
                ..input(&[])
            },
        )
        .await
        .unwrap();
    assert!(world.api_keys.authenticate(revoked_plain.expose()).await.is_ok());
    world.api_keys.revoke(&dev.caller, org, revoked.id).await.unwrap();
    let after_revocation = world.api_keys.authenticate(revoked_plain.expose()).await;
    assert!(
        matches!(after_revocation, Err(DomainError::Unauthorized(_))),
        "{after_revocation:?}"
    );
    assert!(world.api_keys.authenticate(expiring.expose()).await.is_ok());
    world.clock.advance(Duration::hours(2));
    let after_expiry = world.api_keys.authenticate(expiring.expose()).await;
    assert!(
        matches!(after_expiry, Err(DomainError::Unauthorized(_))),
        "{after_expiry:?}"
    );
    let tampered = format!("{}x", &revoked_plain.expose()[..revoked_plain.expose().len() - 1]);
    assert!(world.api_keys.authenticate(&tampered).await.is_err());
}

#[tokio::test]
async fn viewers_cannot_hold_keys() {
    let world = World::new();
    let (owner, viewer) = (world.person("owner").await, world.person("viewer").await);
    let org = world.org_with(&owner, "acme", &[(&viewer, Role::Viewer)]).await;
    let refused = world.api_keys.create(&viewer.caller, org, input(&[])).await;
    assert!(matches!(refused, Err(DomainError::Forbidden)), "{refused:?}");
}

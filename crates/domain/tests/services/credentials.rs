//! What ends an account's ways in: disabling it, and its owner changing the password.

use tenantry_domain::{
    DomainError, SecretString,
    services::{api_keys::NewApiKeyInput, identity::LoginOutcome},
    session::TokenPair,
};

use crate::world::{PASSWORD, Person, World};

async fn api_key_of(world: &World, person: &Person) -> SecretString {
    let (_, key) = world
        .api_keys
        .create(
            &person.caller,
            person.personal_org,
            NewApiKeyInput {
                name: "ci".into(),
                expires_at: None,
                scopes: vec![],
            },
        )
        .await
        .expect("api key");
    key
}

async fn second_session(world: &World, person: &Person) -> TokenPair {
    match world
        .identity
        .login(person.user.email.as_str(), &SecretString::new(PASSWORD), None)
        .await
        .expect("login")
    {
        LoginOutcome::Signed(tokens) => tokens,
        other => panic!("expected a session, got {other:?}"),
    }
}

fn unauthorized<T>(result: &Result<T, DomainError>) -> bool {
    matches!(result, Err(DomainError::Unauthorized(_)))
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions_at_the_next_request() {
    let world = World::new();
    let dev = world.person("dev").await;
    world.admin.disable("dev@example.com").await.unwrap();
    let access = world
        .identity
        .authenticate(dev.tokens.access_token.expose())
        .await;
    assert!(unauthorized(&access), "{access:?}");
    assert!(unauthorized(
        &world.identity.refresh(&dev.tokens.refresh_token).await
    ));
}

#[tokio::test]
async fn disabling_a_user_ends_their_api_keys() {
    let world = World::new();
    let dev = world.person("dev").await;
    let key = api_key_of(&world, &dev).await;
    world.admin.disable("dev@example.com").await.unwrap();
    assert!(unauthorized(&world.api_keys.authenticate(key.expose()).await));
}

#[tokio::test]
async fn enabling_a_user_again_brings_back_no_session_or_key() {
    let world = World::new();
    let dev = world.person("dev").await;
    let key = api_key_of(&world, &dev).await;
    world.admin.disable("dev@example.com").await.unwrap();
    world.admin.enable("dev@example.com").await.unwrap();
    assert!(unauthorized(&world.api_keys.authenticate(key.expose()).await));
    assert!(unauthorized(
        &world.identity.refresh(&dev.tokens.refresh_token).await
    ));
    assert!(matches!(second_session(&world, &dev).await, TokenPair { .. }));
}

#[tokio::test]
async fn a_password_change_ends_every_other_session() {
    let world = World::new();
    let dev = world.person("dev").await;
    let other = second_session(&world, &dev).await;
    let caller = world
        .identity
        .authenticate(dev.tokens.access_token.expose())
        .await
        .unwrap();
    world
        .identity
        .change_password(
            &caller,
            &SecretString::new(PASSWORD),
            &SecretString::new("another long passphrase"),
        )
        .await
        .unwrap();
    assert!(unauthorized(&world.identity.refresh(&other.refresh_token).await));
}

#[tokio::test]
async fn a_password_change_keeps_the_session_it_was_made_in() {
    let world = World::new();
    let dev = world.person("dev").await;
    let caller = world
        .identity
        .authenticate(dev.tokens.access_token.expose())
        .await
        .unwrap();
    world
        .identity
        .change_password(
            &caller,
            &SecretString::new(PASSWORD),
            &SecretString::new("another long passphrase"),
        )
        .await
        .unwrap();
    world.identity.refresh(&dev.tokens.refresh_token).await.unwrap();
}

#[tokio::test]
async fn a_password_change_keeps_the_owners_api_keys() {
    let world = World::new();
    let dev = world.person("dev").await;
    let key = api_key_of(&world, &dev).await;
    world
        .identity
        .change_password(
            &dev.caller,
            &SecretString::new(PASSWORD),
            &SecretString::new("another long passphrase"),
        )
        .await
        .unwrap();
    world.api_keys.authenticate(key.expose()).await.unwrap();
}

#[tokio::test]
async fn a_changed_password_replaces_the_old_one() {
    let world = World::new();
    let dev = world.person("dev").await;
    world
        .identity
        .change_password(
            &dev.caller,
            &SecretString::new(PASSWORD),
            &SecretString::new("another long passphrase"),
        )
        .await
        .unwrap();
    let old = world
        .identity
        .login("dev@example.com", &SecretString::new(PASSWORD), None)
        .await;
    assert!(unauthorized(&old), "{old:?}");
    world
        .identity
        .login(
            "dev@example.com",
            &SecretString::new("another long passphrase"),
            None,
        )
        .await
        .unwrap();
}

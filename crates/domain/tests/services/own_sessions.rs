//! A person's own sessions and name.

use tenantry_domain::{DomainError, SecretString, services::identity::LoginOutcome};

use crate::world::{PASSWORD, World};

#[tokio::test]
async fn a_person_lists_their_live_sessions_and_ends_one_at_once() {
    let world = World::new();
    let ada = world.person("ada").await;
    let first = world
        .identity
        .authenticate(ada.tokens.access_token.expose())
        .await
        .unwrap();
    world.clock.advance(chrono::Duration::seconds(5));
    let LoginOutcome::Signed(second) = world
        .identity
        .login("ada@example.com", &SecretString::new(PASSWORD), None)
        .await
        .unwrap()
    else {
        panic!("no MFA here")
    };
    let second_caller = world
        .identity
        .authenticate(second.access_token.expose())
        .await
        .unwrap();

    let sessions = world.identity.sessions(&first).await.unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0].id, second_caller.session_id.unwrap(), "newest first");

    world
        .identity
        .end_session(&first, second_caller.session_id.unwrap())
        .await
        .unwrap();
    let refused = world.identity.authenticate(second.access_token.expose()).await;
    assert!(
        matches!(refused, Err(DomainError::Unauthorized(_))),
        "{refused:?}"
    );
    assert_eq!(world.identity.sessions(&first).await.unwrap().len(), 1);
    let again = world
        .identity
        .end_session(&first, second_caller.session_id.unwrap())
        .await;
    assert!(matches!(again, Err(DomainError::NotFound)), "{again:?}");
}

#[tokio::test]
async fn someone_elses_session_is_not_found() {
    let world = World::new();
    let (ada, bob) = (world.person("ada").await, world.person("bob").await);
    let ada = world
        .identity
        .authenticate(ada.tokens.access_token.expose())
        .await
        .unwrap();
    let bob_caller = world
        .identity
        .authenticate(bob.tokens.access_token.expose())
        .await
        .unwrap();
    let ended = world
        .identity
        .end_session(&ada, bob_caller.session_id.unwrap())
        .await;
    assert!(matches!(ended, Err(DomainError::NotFound)), "{ended:?}");
    assert!(
        world
            .identity
            .authenticate(bob.tokens.access_token.expose())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_rename_is_trimmed_and_a_blank_one_refused() {
    let world = World::new();
    let ada = world.person("ada").await;
    let renamed = world
        .identity
        .rename(&ada.caller, "  Ada Lovelace ")
        .await
        .unwrap();
    assert_eq!(renamed.name, "Ada Lovelace");
    assert_eq!(
        world.identity.active_user(ada.user.id).await.unwrap().name,
        "Ada Lovelace"
    );
    let blank = world.identity.rename(&ada.caller, "  ").await;
    assert!(matches!(blank, Err(DomainError::Validation(_))), "{blank:?}");
}

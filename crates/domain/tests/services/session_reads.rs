//! Reads made in a session (a token's claims, confirmed by the read itself) see what the confirmed
//! caller would, and nothing once the session has ended, expired or gone stale.

use serde_json::json;
use tenantry_domain::{
    Claimant, DomainError, Role, services::conversations::ConversationListQuery, session::AccessClaims,
};

use crate::world::{Person, World};

fn claims_of(world: &World, person: &Person) -> AccessClaims {
    world
        .identity
        .verify_access(person.tokens.access_token.expose())
        .expect("a freshly issued token verifies")
}

fn first_page() -> ConversationListQuery {
    ConversationListQuery {
        limit: 20,
        ..Default::default()
    }
}

/// Lists, gets and reads the events of `conversation` as `claimant`: the outcome of each.
async fn read_all(
    world: &World,
    claimant: Claimant<'_>,
    org: tenantry_domain::OrgId,
    conversation: tenantry_domain::ConversationId,
) -> [Result<usize, DomainError>; 3] {
    let list = world
        .conversations
        .list(claimant, org, first_page())
        .await
        .map(|page| page.items.len());
    let get = world
        .conversations
        .get(claimant, org, conversation)
        .await
        .map(|_| 1);
    let events = world
        .conversations
        .read_events(claimant, org, conversation, 0, 100)
        .await
        .map(|page| page.items.len());
    [list, get, events]
}

fn unauthorized(outcomes: &[Result<usize, DomainError>; 3]) -> bool {
    outcomes
        .iter()
        .all(|outcome| matches!(outcome, Err(DomainError::Unauthorized(_))))
}

#[tokio::test]
async fn a_live_session_reads_what_its_caller_reads() {
    let world = World::new();
    let dev = world.person("dev").await;
    let org = dev.personal_org;
    let conversation = world.conversation_of(&dev).await;
    world
        .conversations
        .append_events(
            &dev.caller,
            org,
            conversation.id,
            vec![json!({ "n": 0 }), json!({ "n": 1 })],
        )
        .await
        .expect("appended");
    let claims = claims_of(&world, &dev);
    let in_session = read_all(&world, Claimant::Session(&claims), org, conversation.id).await;
    let confirmed = read_all(&world, Claimant::from(&dev.caller), org, conversation.id).await;
    assert_eq!(in_session.map(Result::ok), [Some(1), Some(1), Some(2)]);
    assert_eq!(confirmed.map(Result::ok), [Some(1), Some(1), Some(2)]);
}

#[tokio::test]
async fn an_ended_expired_or_stale_session_reads_nothing() {
    let world = World::new();
    let dev = world.person("dev").await;
    let org = dev.personal_org;
    let conversation = world.conversation_of(&dev).await;
    let claims = claims_of(&world, &dev);

    let mut stale = claims;
    stale.epoch += 1;
    assert!(unauthorized(
        &read_all(&world, Claimant::Session(&stale), org, conversation.id).await
    ));

    world
        .identity
        .logout(&dev.tokens.refresh_token)
        .await
        .expect("logged out");
    assert!(unauthorized(
        &read_all(&world, Claimant::Session(&claims), org, conversation.id).await
    ));
    let append = world
        .conversations
        .append_events(
            Claimant::Session(&claims),
            org,
            conversation.id,
            vec![json!({ "n": 0 })],
        )
        .await;
    assert!(matches!(append, Err(DomainError::Unauthorized(_))), "{append:?}");
    let unchanged = world
        .conversations
        .get(&dev.caller, org, conversation.id)
        .await
        .expect("read");
    assert_eq!(unchanged.event_count, 0, "nothing was appended");

    let later = world.person("later").await;
    let later_claims = claims_of(&world, &later);
    let later_org = later.personal_org;
    let their_conversation = world.conversation_of(&later).await;
    let live = read_all(
        &world,
        Claimant::Session(&later_claims),
        later_org,
        their_conversation.id,
    )
    .await;
    assert!(live.iter().all(Result::is_ok), "{live:?}");
    world.clock.advance(chrono::Duration::days(400));
    assert!(unauthorized(
        &read_all(
            &world,
            Claimant::Session(&later_claims),
            later_org,
            their_conversation.id
        )
        .await
    ));
}

#[tokio::test]
async fn a_session_outside_the_org_finds_nothing_and_a_viewer_only_what_is_shared() {
    let world = World::new();
    let owner = world.person("owner").await;
    let viewer = world.person("viewer").await;
    let stranger = world.person("stranger").await;
    let org = world.org_with(&owner, "Shared", &[(&viewer, Role::Viewer)]).await;
    let private = world.conversation_in(&owner, org).await;

    let stranger_claims = claims_of(&world, &stranger);
    let outcomes = read_all(&world, Claimant::Session(&stranger_claims), org, private.id).await;
    assert!(
        outcomes
            .iter()
            .all(|outcome| matches!(outcome, Err(DomainError::NotFound))),
        "{outcomes:?}"
    );

    let viewer_claims = claims_of(&world, &viewer);
    let outcomes = read_all(&world, Claimant::Session(&viewer_claims), org, private.id).await;
    assert!(
        matches!(outcomes[0], Ok(0)),
        "a private conversation is not listed: {outcomes:?}"
    );
    assert!(matches!(outcomes[1], Err(DomainError::NotFound)));
    assert!(matches!(outcomes[2], Err(DomainError::NotFound)));
}

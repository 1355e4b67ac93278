//! Login throttling: counted before the hash, locked even for the right password, over after the
//! lockout.

use chrono::Duration;
use tenantry_domain::{DomainError, SecretString};

use crate::world::{ACCOUNT_MAX_FAILURES, PASSWORD, World};

fn password(text: &str) -> SecretString {
    SecretString::new(text)
}

#[tokio::test]
async fn an_account_locks_after_its_failures_until_the_lockout_ends() {
    let world = World::new();
    world.person("ann").await;
    for _ in 0..ACCOUNT_MAX_FAILURES {
        let wrong = world
            .identity
            .login("ann@example.com", &password("wrong guess"), None)
            .await;
        assert!(matches!(wrong, Err(DomainError::Unauthorized(_))), "{wrong:?}");
    }
    let locked = world
        .identity
        .login("ann@example.com", &password(PASSWORD), None)
        .await;
    assert!(
        matches!(locked, Err(DomainError::TooManyRequests { .. })),
        "{locked:?}"
    );
    world.clock.advance(Duration::minutes(16));
    assert!(
        world
            .identity
            .login("ann@example.com", &password(PASSWORD), None)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_good_login_clears_the_account_count() {
    let world = World::new();
    world.person("ann").await;
    for _ in 0..ACCOUNT_MAX_FAILURES - 1 {
        let _ = world
            .identity
            .login("ann@example.com", &password("wrong guess"), None)
            .await;
    }
    world
        .identity
        .login("ann@example.com", &password(PASSWORD), None)
        .await
        .unwrap();
    for _ in 0..ACCOUNT_MAX_FAILURES - 1 {
        let wrong = world
            .identity
            .login("ann@example.com", &password("wrong guess"), None)
            .await;
        assert!(matches!(wrong, Err(DomainError::Unauthorized(_))), "{wrong:?}");
    }
}

#[tokio::test]
async fn a_burst_of_concurrent_guesses_is_held_to_the_limit() {
    let world = World::new();
    world.person("ann").await;
    let guesses = (0..40).map(|_| async {
        world
            .identity
            .login("ann@example.com", &password("wrong guess"), None)
            .await
    });
    let results = futures::future::join_all(guesses).await;
    let evaluated = results
        .iter()
        .filter(|result| matches!(result, Err(DomainError::Unauthorized(_))))
        .count();
    assert_eq!(evaluated, ACCOUNT_MAX_FAILURES as usize);
    assert!(results.iter().all(|result| result.is_err()));
}

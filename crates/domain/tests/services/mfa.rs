//! Two-factor sign-in: enrolment with a first code, the second step of a sign-in, and codes that
//! count once.

use tenantry_domain::{
    DomainError, SecretString,
    services::identity::{LoginOutcome, MfaProof},
};
use totp_rs::{Algorithm, Builder, Secret};

use crate::world::{PASSWORD, Person, World};

/// The code an authenticator app shows for `secret` at the world's time.
fn code(world: &World, secret: &SecretString) -> String {
    let totp = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(Secret::try_from_base32(secret.expose()).expect("base32"))
        .build_noncompliant();
    let now =
        u64::try_from(tenantry_domain::clock::Clock::now(world.clock.as_ref()).timestamp()).expect("time");
    totp.generate(now).to_string()
}

/// `person` enrolled, with their secret; the world's clock moved past the code used.
async fn enrolled(world: &World, person: &Person) -> SecretString {
    let setup = world.identity.begin_totp(&person.caller).await.unwrap();
    world
        .identity
        .confirm_totp(&person.caller, &code(world, &setup.secret))
        .await
        .unwrap();
    world.clock.advance(chrono::Duration::seconds(30));
    setup.secret
}

async fn second_step(world: &World) -> SecretString {
    match world
        .identity
        .login("dev@example.com", &SecretString::new(PASSWORD), None)
        .await
        .unwrap()
    {
        LoginOutcome::MfaRequired { mfa_token } => mfa_token,
        other => panic!("expected a second step, got {other:?}"),
    }
}

#[tokio::test]
async fn enrolment_needs_a_code_from_the_authenticator() {
    let world = World::new();
    let dev = world.person("dev").await;
    world.identity.begin_totp(&dev.caller).await.unwrap();
    let refused = world.identity.confirm_totp(&dev.caller, "000000").await;
    assert!(matches!(refused, Err(DomainError::Validation(_))), "{refused:?}");
}

#[tokio::test]
async fn a_confirmed_enrolment_hands_out_ten_recovery_codes() {
    let world = World::new();
    let dev = world.person("dev").await;
    let setup = world.identity.begin_totp(&dev.caller).await.unwrap();
    let codes = world
        .identity
        .confirm_totp(&dev.caller, &code(&world, &setup.secret))
        .await
        .unwrap();
    assert_eq!(codes.len(), 10);
}

#[tokio::test]
async fn a_password_sign_in_then_asks_for_a_code() {
    let world = World::new();
    let dev = world.person("dev").await;
    let secret = enrolled(&world, &dev).await;
    let token = second_step(&world).await;
    world
        .identity
        .verify_mfa(&token, MfaProof::Code(code(&world, &secret)), None)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_code_counts_once() {
    let world = World::new();
    let dev = world.person("dev").await;
    let secret = enrolled(&world, &dev).await;
    let code = code(&world, &secret);
    let first = second_step(&world).await;
    world
        .identity
        .verify_mfa(&first, MfaProof::Code(code.clone()), None)
        .await
        .unwrap();
    let again = second_step(&world).await;
    let refused = world
        .identity
        .verify_mfa(&again, MfaProof::Code(code), None)
        .await;
    assert!(
        matches!(refused, Err(DomainError::Unauthorized(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_recovery_code_signs_in_once() {
    let world = World::new();
    let dev = world.person("dev").await;
    let setup = world.identity.begin_totp(&dev.caller).await.unwrap();
    let codes = world
        .identity
        .confirm_totp(&dev.caller, &code(&world, &setup.secret))
        .await
        .unwrap();
    let first = second_step(&world).await;
    world
        .identity
        .verify_mfa(&first, MfaProof::RecoveryCode(codes[0].clone()), None)
        .await
        .unwrap();
    let again = second_step(&world).await;
    let refused = world
        .identity
        .verify_mfa(&again, MfaProof::RecoveryCode(codes[0].clone()), None)
        .await;
    assert!(
        matches!(refused, Err(DomainError::Unauthorized(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn enrolling_again_while_on_is_refused() {
    let world = World::new();
    let dev = world.person("dev").await;
    enrolled(&world, &dev).await;
    let caller = world
        .identity
        .active_user(dev.user.id)
        .await
        .map(|user| tenantry_domain::Caller::person(user, None))
        .unwrap();
    let refused = world.identity.begin_totp(&caller).await;
    assert!(
        matches!(
            refused,
            Err(DomainError::Conflict {
                code: "mfa_enabled",
                ..
            })
        ),
        "{refused:?}"
    );
}

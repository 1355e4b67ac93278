//! Invitations: who may invite, who may accept, and when an invitation stops working.

use chrono::Duration;
use tenantry_domain::{DomainError, Role, SecretString, invitation_acceptance::JoiningPolicy};

use crate::world::{Person, World};

/// The token of the last invitation mailed to `email`.
fn token_for(world: &World, email: &str) -> SecretString {
    let mail = world
        .outbox
        .sent()
        .into_iter()
        .rev()
        .find(|mail| mail.to.as_str() == email)
        .expect("an invitation mail");
    let token = mail
        .body
        .split("token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a token in the mail");
    SecretString::new(token.to_owned())
}

async fn invited(
    world: &World,
    by: &Person,
    org: tenantry_domain::OrgId,
    email: &str,
    role: Role,
) -> SecretString {
    world
        .orgs
        .invite(&by.caller, org, email, role)
        .await
        .expect("invitation");
    token_for(world, email)
}

#[tokio::test]
async fn the_invited_person_joins_with_the_invited_role_once() {
    let world = World::new();
    let (owner, bob) = (world.person("owner").await, world.person("bob").await);
    let org = world.org_with(&owner, "acme", &[]).await;
    let token = invited(&world, &owner, org, "bob@example.com", Role::Developer).await;

    let joined = world.orgs.accept_invitation(&bob.caller, &token).await.unwrap();
    assert_eq!(joined.role, Role::Developer);
    let again = world.orgs.accept_invitation(&bob.caller, &token).await;
    assert!(matches!(again, Err(DomainError::NotFound)), "{again:?}");
    assert_eq!(
        world.orgs.audit_log(&owner.caller, org, None, 1).await.unwrap()[0].action,
        tenantry_domain::AuditAction::InvitationAccepted
    );
}

#[tokio::test]
async fn someone_else_cannot_use_the_invitation() {
    let world = World::new();
    let (owner, eve) = (world.person("owner").await, world.person("eve").await);
    let org = world.org_with(&owner, "acme", &[]).await;
    let token = invited(&world, &owner, org, "bob@example.com", Role::Viewer).await;
    let stolen = world.orgs.accept_invitation(&eve.caller, &token).await;
    assert!(
        matches!(
            stolen,
            Err(DomainError::Refused {
                code: "forbidden",
                ..
            })
        ),
        "{stolen:?}"
    );
    let preview = world.orgs.preview_invitation(&eve.caller, &token).await.unwrap();
    assert_eq!(
        preview.email, "b…@e…",
        "someone else sees only a hint of the address"
    );
    assert!(!preview.for_caller);
    assert!(matches!(
        preview.refusal,
        Some(DomainError::Refused {
            code: "forbidden",
            ..
        })
    ));
}

#[tokio::test]
async fn an_expired_invitation_is_gone() {
    let world = World::new();
    let (owner, bob) = (world.person("owner").await, world.person("bob").await);
    let org = world.org_with(&owner, "acme", &[]).await;
    let token = invited(&world, &owner, org, "bob@example.com", Role::Viewer).await;
    world.clock.advance(Duration::days(7) + Duration::seconds(1));
    let late = world.orgs.accept_invitation(&bob.caller, &token).await;
    assert!(
        matches!(
            late,
            Err(DomainError::Gone {
                code: "invitation_expired"
            })
        ),
        "{late:?}"
    );
}

#[tokio::test]
async fn an_invitation_leaves_with_the_authority_of_its_sender() {
    let world = World::new();
    let (owner, admin, bob) = (
        world.person("owner").await,
        world.person("admin").await,
        world.person("bob").await,
    );
    let org = world.org_with(&owner, "acme", &[(&admin, Role::Admin)]).await;
    let token = invited(&world, &admin, org, "bob@example.com", Role::Admin).await;
    world
        .orgs
        .change_role(&owner.caller, org, admin.user.id, Role::Developer)
        .await
        .unwrap();
    let outranked = world.orgs.accept_invitation(&bob.caller, &token).await;
    assert!(
        matches!(
            outranked,
            Err(DomainError::Gone {
                code: "invitation_revoked"
            })
        ),
        "{outranked:?}"
    );
}

#[tokio::test]
async fn members_and_pending_invitees_are_not_invited_twice() {
    let world = World::new();
    let (owner, dev) = (world.person("owner").await, world.person("dev").await);
    let org = world.org_with(&owner, "acme", &[(&dev, Role::Developer)]).await;
    let member = world
        .orgs
        .invite(&owner.caller, org, "dev@example.com", Role::Viewer)
        .await;
    assert!(
        matches!(
            member,
            Err(DomainError::Conflict {
                code: "already_member",
                ..
            })
        ),
        "{member:?}"
    );
    world
        .orgs
        .invite(&owner.caller, org, "new@example.com", Role::Viewer)
        .await
        .unwrap();
    let twice = world
        .orgs
        .invite(&owner.caller, org, "new@example.com", Role::Viewer)
        .await;
    assert!(
        matches!(
            twice,
            Err(DomainError::Conflict {
                code: "already_invited",
                ..
            })
        ),
        "{twice:?}"
    );
    let by_developer = world
        .orgs
        .invite(&dev.caller, org, "other@example.com", Role::Viewer)
        .await;
    assert!(
        matches!(by_developer, Err(DomainError::Forbidden)),
        "{by_developer:?}"
    );
}

#[tokio::test]
async fn a_revoked_invitation_no_longer_works() {
    let world = World::new();
    let (owner, bob) = (world.person("owner").await, world.person("bob").await);
    let org = world.org_with(&owner, "acme", &[]).await;
    let token = invited(&world, &owner, org, "bob@example.com", Role::Viewer).await;
    let pending = world.orgs.invitations(&owner.caller, org).await.unwrap();
    world
        .orgs
        .revoke_invitation(&owner.caller, org, pending[0].id)
        .await
        .unwrap();
    let revoked = world.orgs.accept_invitation(&bob.caller, &token).await;
    assert!(matches!(revoked, Err(DomainError::NotFound)), "{revoked:?}");
    let twice = world
        .orgs
        .revoke_invitation(&owner.caller, org, pending[0].id)
        .await;
    assert!(matches!(twice, Err(DomainError::NotFound)), "{twice:?}");
}

#[tokio::test]
async fn an_unverified_email_cannot_join_where_verification_is_required() {
    let world = World::with_joining(JoiningPolicy {
        require_verified_email: true,
    });
    let (owner, bob) = (world.person("owner").await, world.person("bob").await);
    let org = world.org_with(&owner, "acme", &[]).await;
    let token = invited(&world, &owner, org, "bob@example.com", Role::Viewer).await;
    let refused = world.orgs.accept_invitation(&bob.caller, &token).await;
    assert!(
        matches!(
            refused,
            Err(DomainError::Conflict {
                code: "email_unverified",
                ..
            })
        ),
        "{refused:?}"
    );
    let added = world
        .orgs
        .add_member(&owner.caller, org, "bob@example.com", Role::Viewer)
        .await;
    assert!(
        matches!(
            added,
            Err(DomainError::Conflict {
                code: "email_unverified",
                ..
            })
        ),
        "{added:?}"
    );
}

#[tokio::test]
async fn the_invitation_shows_org_inviter_and_role_and_changes_nothing() {
    let world = World::new();
    let (owner, bob) = (world.person("owner").await, world.person("bob").await);
    let org = world.org_with(&owner, "acme", &[]).await;
    let token = invited(&world, &owner, org, "bob@example.com", Role::Developer).await;
    let preview = world.orgs.preview_invitation(&bob.caller, &token).await.unwrap();
    assert_eq!((preview.org_id, preview.org_name.as_str()), (org, "acme"));
    assert_eq!(preview.role, Role::Developer);
    assert_eq!(preview.email, "bob@example.com");
    assert!(preview.for_caller && preview.refusal.is_none());
    let (name, email) = preview.inviter.expect("the inviter");
    assert_eq!(
        (name.as_str(), email.expect("shown to the invited").as_str()),
        ("owner", "owner@example.com")
    );
    // Looking did not spend it.
    world.orgs.accept_invitation(&bob.caller, &token).await.unwrap();
    let spent = world.orgs.preview_invitation(&bob.caller, &token).await;
    assert!(matches!(spent, Err(DomainError::NotFound)), "{spent:?}");
}

#[tokio::test]
async fn a_resent_invitation_replaces_the_pending_one() {
    let world = World::new();
    let (owner, bob) = (world.person("owner").await, world.person("bob").await);
    let org = world.org_with(&owner, "acme", &[]).await;
    let old = invited(&world, &owner, org, "bob@example.com", Role::Viewer).await;
    let pending = world.orgs.invitations(&owner.caller, org).await.unwrap();
    world.clock.advance(Duration::hours(1));
    let resent = world
        .orgs
        .resend_invitation(&owner.caller, org, pending[0].id)
        .await
        .unwrap();
    assert_ne!(resent.id, pending[0].id);
    assert_eq!(
        (resent.email.as_str(), resent.role),
        ("bob@example.com", Role::Viewer)
    );
    assert!(resent.expires_at > pending[0].expires_at, "a new expiry");
    let now_pending = world.orgs.invitations(&owner.caller, org).await.unwrap();
    assert_eq!(
        now_pending
            .iter()
            .map(|invitation| invitation.id)
            .collect::<Vec<_>>(),
        [resent.id]
    );
    let stale = world.orgs.accept_invitation(&bob.caller, &old).await;
    assert!(matches!(stale, Err(DomainError::NotFound)), "{stale:?}");
    let fresh = token_for(&world, "bob@example.com");
    assert_eq!(
        world
            .orgs
            .accept_invitation(&bob.caller, &fresh)
            .await
            .unwrap()
            .role,
        Role::Viewer
    );
    let gone = world.orgs.resend_invitation(&owner.caller, org, resent.id).await;
    assert!(matches!(gone, Err(DomainError::NotFound)), "{gone:?}");
}

//! Who a request is counted against: an org only for its admitted callers, and never for a request
//! the caller's own limit refused; a sandbox against its own limit.

use std::sync::Arc;

use tenantry_domain::{Role, new_id, rate_limit::RateLimits, services::RateLimitService};
use tenantry_memory::MemoryRequestCounters;

use crate::world::World;

fn service(world: &World, limits: RateLimits) -> RateLimitService {
    RateLimitService::new(
        Arc::new(MemoryRequestCounters::new()),
        world.store.clone(),
        limits,
        world.clock.clone(),
    )
}

fn limits(per_user: u32, per_org: u32) -> RateLimits {
    RateLimits {
        per_key: 0,
        per_user,
        per_org,
        per_sandbox: 2,
    }
}

#[tokio::test]
async fn strangers_spend_nothing_of_an_org_and_members_spend_it_together() {
    let world = World::new();
    let (owner, member, stranger) = (
        world.person("owner").await,
        world.person("member").await,
        world.person("stranger").await,
    );
    let org = world.org_with(&owner, "acme", &[(&member, Role::Viewer)]).await;
    let limits = service(&world, limits(1000, 3));
    for _ in 0..50 {
        let status = limits.admit(&stranger.caller, Some(org)).await.expect("limited");
        assert!(!status.limited);
        assert!(status.policies.iter().all(|(name, _)| *name != "org"));
    }
    for caller in [&owner.caller, &member.caller, &owner.caller] {
        let status = limits.admit(caller, Some(org)).await.expect("limited");
        assert!(!status.limited, "{status:?}");
        assert!(status.policies.contains(&("org", 3)));
    }
    let over = limits.admit(&member.caller, Some(org)).await.expect("limited");
    assert!(over.limited, "the org's fourth request");
}

#[tokio::test]
async fn a_request_the_callers_own_limit_refuses_counts_against_no_org() {
    let world = World::new();
    let (owner, member) = (world.person("owner").await, world.person("member").await);
    let org = world.org_with(&owner, "acme", &[(&member, Role::Viewer)]).await;
    let limits = service(&world, limits(2, 4));
    for _ in 0..2 {
        assert!(limits.check(&member.caller, Some(org)).await.is_ok());
    }
    for _ in 0..20 {
        let (status, _) = limits
            .check(&member.caller, Some(org))
            .await
            .expect_err("refused");
        assert_eq!(status.tightest.0, "user");
        assert!(status.policies.iter().all(|(name, _)| *name != "org"));
    }
    // Two of the org's four requests are left.
    for _ in 0..2 {
        let status = limits.admit(&owner.caller, Some(org)).await.expect("limited");
        assert!(!status.limited, "{status:?}");
    }
}

#[tokio::test]
async fn a_sandbox_counts_against_its_own_limit() {
    let world = World::new();
    let limits = service(&world, limits(0, 0));
    let (busy, quiet) = (new_id(), new_id());
    assert!(limits.check_sandbox(busy).is_ok());
    assert!(limits.check_sandbox(busy).is_ok());
    let (status, _) = limits.check_sandbox(busy).expect_err("refused");
    assert_eq!(status.policies, vec![("sandbox", 2)]);
    assert!(limits.check_sandbox(quiet).is_ok());
}

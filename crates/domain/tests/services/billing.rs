//! Credits: an owner's checkout, and the payment events that credit the org once.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::json;
use tenantry_domain::{
    Caller, DomainError, OrgId, Role,
    billing::{Checkout, CheckoutRequest, LedgerKind, PaymentEvent, PaymentEventKind, PaymentOutcome},
    ports::PaymentProvider,
    services::{BillingPorts, BillingService},
};

use crate::world::{Person, World};

/// The signature header this provider's events carry.
const SIGNED: &str = "signed";

/// A payment provider whose checkouts are named after Tenantry's session and whose events are JSON
/// `{id, checkout, paid}` under the header [`SIGNED`]. Test code only: the end-to-end suite runs
/// the Stripe adapter against a Stripe-shaped server.
struct Provider;

#[async_trait]
impl PaymentProvider for Provider {
    async fn create_checkout(&self, request: &CheckoutRequest) -> Result<Checkout, DomainError> {
        Ok(Checkout {
            provider_session_id: format!("cs_{}", request.session_id),
            url: format!("https://pay.example/{}", request.session_id),
        })
    }

    fn verify_event(
        &self,
        header: Option<&str>,
        payload: &[u8],
        _: DateTime<Utc>,
    ) -> Result<PaymentEvent, DomainError> {
        if header != Some(SIGNED) {
            return Err(DomainError::Rejected {
                code: "bad_signature",
                detail: "not signed".into(),
            });
        }
        let event: serde_json::Value = serde_json::from_slice(payload).expect("event");
        Ok(PaymentEvent {
            id: event["id"].as_str().expect("id").to_owned(),
            kind: PaymentEventKind::CheckoutCompleted {
                provider_session_id: event["checkout"].as_str().expect("checkout").to_owned(),
                client_reference: None,
                paid: event["paid"].as_bool().expect("paid"),
            },
        })
    }
}

fn billing(world: &World) -> BillingService {
    BillingService::new(BillingPorts {
        store: world.store.clone(),
        payments: Arc::new(Provider),
        orgs: world.store.clone(),
        clock: world.clock.clone(),
    })
}

fn paid(event: &str, checkout: &str, paid: bool) -> Vec<u8> {
    json!({ "id": event, "checkout": checkout, "paid": paid })
        .to_string()
        .into_bytes()
}

async fn checkout(world: &World, owner: &Person, org: OrgId) -> String {
    billing(world)
        .checkout(&owner.caller, org, 25.0)
        .await
        .expect("checkout")
        .provider_session_id
        .expect("provider's id")
}

#[tokio::test]
async fn an_owners_checkout_is_recorded_in_progress_with_the_providers_page() {
    let world = World::new();
    let owner = world.person("owner").await;
    let session = billing(&world)
        .checkout(&owner.caller, owner.personal_org, 25.0)
        .await
        .unwrap();
    assert_eq!(session.amount, 25_000_000);
    assert_eq!(
        session.checkout_url.as_deref(),
        Some(format!("https://pay.example/{}", session.id).as_str())
    );
}

#[tokio::test]
async fn only_an_owner_buys_credits() {
    let world = World::new();
    let (owner, admin) = (world.person("owner").await, world.person("admin").await);
    let org = world.org_with(&owner, "acme", &[(&admin, Role::Admin)]).await;
    let refused = billing(&world).checkout(&admin.caller, org, 25.0).await;
    assert!(matches!(refused, Err(DomainError::Forbidden)), "{refused:?}");
}

#[tokio::test]
async fn an_api_key_cannot_buy_credits() {
    let world = World::new();
    let owner = world.person("owner").await;
    let key = Caller::through_api_key(
        owner.user.clone(),
        tenantry_domain::ApiKeyGrant {
            key_id: tenantry_domain::new_id(),
            org_id: owner.personal_org,
            scopes: vec![],
        },
    );
    let refused = billing(&world).checkout(&key, owner.personal_org, 25.0).await;
    assert!(matches!(refused, Err(DomainError::Forbidden)), "{refused:?}");
}

#[tokio::test]
async fn a_paid_checkout_credits_the_org_once_however_often_it_is_delivered() {
    let world = World::new();
    let owner = world.person("owner").await;
    let checkout = checkout(&world, &owner, owner.personal_org).await;
    let service = billing(&world);
    let event = paid("evt_1", &checkout, true);
    assert_eq!(
        service.payment_event(Some(SIGNED), &event).await.unwrap(),
        PaymentOutcome::Credited
    );
    assert_eq!(
        service.payment_event(Some(SIGNED), &event).await.unwrap(),
        PaymentOutcome::NothingToDo
    );
    let overview = service.overview(&owner.caller, owner.personal_org).await.unwrap();
    assert_eq!(overview.balance, 25_000_000);
    assert_eq!(overview.ledger.len(), 1);
    assert_eq!(overview.ledger[0].kind, LedgerKind::Purchase);
}

#[tokio::test]
async fn an_unpaid_checkout_credits_nothing() {
    let world = World::new();
    let owner = world.person("owner").await;
    let checkout = checkout(&world, &owner, owner.personal_org).await;
    let service = billing(&world);
    let outcome = service
        .payment_event(Some(SIGNED), &paid("evt_1", &checkout, false))
        .await
        .unwrap();
    assert_eq!(outcome, PaymentOutcome::NothingToDo);
    assert_eq!(
        service
            .overview(&owner.caller, owner.personal_org)
            .await
            .unwrap()
            .balance,
        0
    );
}

#[tokio::test]
async fn an_event_without_a_good_signature_is_rejected() {
    let world = World::new();
    let owner = world.person("owner").await;
    let checkout = checkout(&world, &owner, owner.personal_org).await;
    let service = billing(&world);
    let refused = service
        .payment_event(Some("forged"), &paid("evt_1", &checkout, true))
        .await;
    assert!(
        matches!(refused, Err(DomainError::Rejected { .. })),
        "{refused:?}"
    );
    assert_eq!(
        service
            .overview(&owner.caller, owner.personal_org)
            .await
            .unwrap()
            .balance,
        0
    );
}

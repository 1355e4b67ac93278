//! Payment provider adapters: [`StripePayments`] speaks Stripe's HTTP API (checkout sessions) and
//! verifies its signed webhook events; [`NoPayments`] stands in when billing is not configured.

mod stripe;
pub mod webhook_signature;

pub use stripe::{StripePayments, StripeSettings};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::{
    DomainError,
    billing::{Checkout, CheckoutRequest, PaymentEvent},
    ports::PaymentProvider,
};

/// No payment provider: checkouts are refused, webhook deliveries rejected.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPayments;

#[async_trait]
impl PaymentProvider for NoPayments {
    async fn create_checkout(&self, _: &CheckoutRequest) -> Result<Checkout, DomainError> {
        Err(DomainError::conflict(
            "billing_disabled",
            "No payment provider is configured on this server.",
        ))
    }

    fn verify_event(&self, _: Option<&str>, _: &[u8], _: DateTime<Utc>) -> Result<PaymentEvent, DomainError> {
        Err(DomainError::Rejected {
            code: "billing_disabled",
            detail: "No payment provider is configured on this server.".into(),
        })
    }
}

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    DomainError,
    spend::billing::{Checkout, CheckoutRequest, PaymentEvent},
};

/// A payment provider: checkouts for buying credits, and the signed events it delivers.
#[async_trait]
pub trait PaymentProvider: Send + Sync {
    /// Opens a checkout for `request`; the provider failing or refusing is `BadGateway`, no
    /// provider configured is `Conflict` (`billing_disabled`).
    async fn create_checkout(&self, request: &CheckoutRequest) -> Result<Checkout, DomainError>;

    /// The event in `payload` once its signature header checks out at `now`; a missing, malformed,
    /// stale or wrong signature, or a payload that is not an event, is `Rejected`.
    fn verify_event(
        &self,
        signature_header: Option<&str>,
        payload: &[u8],
        now: DateTime<Utc>,
    ) -> Result<PaymentEvent, DomainError>;
}

//! Stripe: `POST /v1/checkout/sessions` (form-encoded, bearer secret key, idempotency key = the
//! billing session id) and webhook events signed as Stripe documents (`Stripe-Signature`).

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use tenantry_domain::{
    DomainError,
    billing::{Checkout, CheckoutRequest, PaymentEvent, PaymentEventKind},
    ports::PaymentProvider,
};

use crate::webhook_signature::{SignatureRefusal, check_signature, parse_signature_header, signed_payload};

/// How Tenantry is known to Stripe.
#[derive(Clone)]
pub struct StripeSettings {
    /// `https://api.stripe.com`, or a stand-in.
    pub api_base: String,
    /// The secret API key (`sk_…`).
    pub secret_key: String,
    /// The webhook endpoint's signing secret (`whsec_…`).
    pub webhook_secret: String,
    /// Three-letter currency code.
    pub currency: String,
    /// Where Stripe sends the payer after paying.
    pub success_url: String,
    /// Where Stripe sends the payer after giving up.
    pub cancel_url: String,
    /// How long a request to Stripe may take.
    pub timeout: Duration,
}

/// Stripe as the payment provider.
#[derive(Clone)]
pub struct StripePayments {
    settings: StripeSettings,
    client: reqwest::Client,
}

impl StripePayments {
    /// Stripe with `settings`.
    pub fn new(settings: StripeSettings) -> Result<Self, DomainError> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| DomainError::Internal(format!("HTTP client: {error}")))?;
        Ok(Self { settings, client })
    }

    fn expected_signature_matches(&self, timestamp: i64, payload: &[u8], candidate: &str) -> bool {
        let Ok(candidate) = hex::decode(candidate) else {
            return false;
        };
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.settings.webhook_secret.as_bytes()) else {
            return false;
        };
        mac.update(&signed_payload(timestamp, payload));
        // Constant-time comparison.
        mac.verify_slice(&candidate).is_ok()
    }
}

/// The parts of a checkout session Tenantry reads.
#[derive(Deserialize)]
struct SessionAnswer {
    id: String,
    url: Option<String>,
}

/// The parts of an event Tenantry reads; the rest is kept as it came.
#[derive(Deserialize)]
struct EventEnvelope {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: serde_json::Value,
}

fn rejected(code: &'static str, detail: &str) -> DomainError {
    DomainError::Rejected {
        code,
        detail: detail.to_owned(),
    }
}

#[async_trait]
impl PaymentProvider for StripePayments {
    async fn create_checkout(&self, request: &CheckoutRequest) -> Result<Checkout, DomainError> {
        let url = format!(
            "{}/v1/checkout/sessions",
            self.settings.api_base.trim_end_matches('/')
        );
        let cents = request.amount.cents().to_string();
        let session_id = request.session_id.to_string();
        let org_id = request.org_id.to_string();
        let form = [
            ("mode", "payment"),
            ("success_url", self.settings.success_url.as_str()),
            ("cancel_url", self.settings.cancel_url.as_str()),
            ("client_reference_id", session_id.as_str()),
            ("metadata[org_id]", org_id.as_str()),
            ("metadata[billing_session_id]", session_id.as_str()),
            ("line_items[0][quantity]", "1"),
            (
                "line_items[0][price_data][currency]",
                self.settings.currency.as_str(),
            ),
            ("line_items[0][price_data][unit_amount]", cents.as_str()),
            (
                "line_items[0][price_data][product_data][name]",
                "Tenantry credits",
            ),
        ];
        let unavailable = |detail: String| {
            tracing::warn!(%detail, "Stripe checkout failed");
            DomainError::BadGateway {
                code: "payment_provider_failed",
                detail: "the payment provider did not open a checkout".into(),
            }
        };
        let response = self
            .client
            .post(url)
            .bearer_auth(&self.settings.secret_key)
            .header("Idempotency-Key", session_id.as_str())
            .form(&form)
            .send()
            .await
            .map_err(|error| unavailable(error.to_string()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(unavailable(format!("status {status}")));
        }
        let answer: SessionAnswer = response
            .json()
            .await
            .map_err(|error| unavailable(error.to_string()))?;
        Ok(Checkout {
            provider_session_id: answer.id,
            url: answer.url.ok_or_else(|| unavailable("no checkout url".into()))?,
        })
    }

    fn verify_event(
        &self,
        signature_header: Option<&str>,
        payload: &[u8],
        now: DateTime<Utc>,
    ) -> Result<PaymentEvent, DomainError> {
        let header = signature_header
            .ok_or(SignatureRefusal::Malformed)
            .and_then(parse_signature_header)
            .and_then(|header| {
                check_signature(&header, now, |candidate| {
                    self.expected_signature_matches(header.timestamp, payload, candidate)
                })
            });
        match header {
            Ok(()) => {}
            Err(SignatureRefusal::Malformed) => {
                return Err(rejected(
                    "invalid_signature",
                    "Stripe-Signature is missing or malformed",
                ));
            }
            Err(SignatureRefusal::StaleTimestamp) => {
                return Err(rejected(
                    "stale_signature",
                    "the signature's timestamp is too far from now",
                ));
            }
            Err(SignatureRefusal::Mismatch) => {
                return Err(rejected("invalid_signature", "no signature matches the payload"));
            }
        }
        let event: EventEnvelope = serde_json::from_slice(payload)
            .map_err(|_| rejected("invalid_event", "the payload is not a Stripe event"))?;
        let kind = match event.kind.as_str() {
            "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
                let object = &event.data.object;
                PaymentEventKind::CheckoutCompleted {
                    provider_session_id: object
                        .get("id")
                        .and_then(serde_json::Value::as_str)
                        .ok_or_else(|| rejected("invalid_event", "the checkout session has no id"))?
                        .to_owned(),
                    client_reference: object
                        .get("client_reference_id")
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_owned),
                    paid: object.get("payment_status").and_then(serde_json::Value::as_str) == Some("paid"),
                }
            }
            other => PaymentEventKind::Other(other.to_owned()),
        };
        Ok(PaymentEvent { id: event.id, kind })
    }
}

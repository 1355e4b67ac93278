//! Credits: what an org buys through a payment provider, kept in an append-only ledger. A billing
//! session is recorded before the provider is asked for a checkout, and a payment event credits the
//! org once, however often the provider delivers it.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{DomainError, OrgId, UserId, conversations::conversation::Micros};

/// Micro-units in one currency unit.
pub const MICROS_PER_UNIT: i64 = 1_000_000;
/// Micro-units as currency units (for showing; amounts are kept in micro-units).
pub fn micros_to_units(micros: Micros) -> f64 {
    micros as f64 / MICROS_PER_UNIT as f64
}

/// Smallest purchase, in currency units.
pub const MIN_PURCHASE_UNITS: f64 = 1.0;
/// Largest purchase, in currency units.
pub const MAX_PURCHASE_UNITS: f64 = 100_000.0;

/// A purchase amount: whole cents between the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurchaseAmount {
    cents: i64,
}

impl PurchaseAmount {
    /// Validates an amount in currency units (`25.5`): at most two decimals, within the limits.
    pub fn parse(units: f64) -> Result<Self, DomainError> {
        let invalid = || {
            DomainError::invalid(
                "amount",
                "must be between 1 and 100000, in currency units with at most two decimals",
            )
        };
        if !units.is_finite() || !(MIN_PURCHASE_UNITS..=MAX_PURCHASE_UNITS).contains(&units) {
            return Err(invalid());
        }
        let cents = (units * 100.0).round();
        if (units * 100.0 - cents).abs() > 1e-6 {
            return Err(invalid());
        }
        Ok(Self { cents: cents as i64 })
    }

    /// The amount in cents, as payment providers take it.
    pub fn cents(self) -> i64 {
        self.cents
    }

    /// The amount in micro-units, as the ledger keeps it.
    pub fn micros(self) -> Micros {
        self.cents * (MICROS_PER_UNIT / 100)
    }
}

/// Where a billing session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingStatus {
    /// Recorded; the payer has not finished paying.
    InProgress,
    /// Paid: the org was credited.
    Completed,
}

impl BillingStatus {
    /// Stable name, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            BillingStatus::InProgress => "in_progress",
            BillingStatus::Completed => "completed",
        }
    }

    /// The status named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "in_progress" => Some(BillingStatus::InProgress),
            "completed" => Some(BillingStatus::Completed),
            _ => None,
        }
    }
}

/// One purchase of credits.
#[derive(Debug, Clone, PartialEq)]
pub struct BillingSession {
    /// Tenantry's id (the provider sees it as the client reference).
    pub id: Uuid,
    /// The org being credited.
    pub org_id: OrgId,
    /// Who asked for it.
    pub created_by: UserId,
    /// What it credits.
    pub amount: Micros,
    /// Where it stands.
    pub status: BillingStatus,
    /// The provider's id of the checkout, once it answered.
    pub provider_session_id: Option<String>,
    /// Where the payer pays.
    pub checkout_url: Option<String>,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// When it was paid.
    pub completed_at: Option<DateTime<Utc>>,
}

/// What wrote a ledger line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerKind {
    /// A completed billing session credited the org (positive).
    Purchase,
    /// Usage debited the org's credits (negative).
    Usage,
}

impl LedgerKind {
    /// Stable name, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Purchase => "purchase",
            Self::Usage => "usage",
        }
    }

    /// The kind a stored name stands for.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        match raw {
            "purchase" => Ok(Self::Purchase),
            "usage" => Ok(Self::Usage),
            other => Err(DomainError::Internal(format!("unknown ledger kind {other:?}"))),
        }
    }
}

/// One line of an org's ledger: credits are positive, debits negative. Lines are never changed.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerEntry {
    /// Time-ordered id.
    pub id: Uuid,
    /// The org.
    pub org_id: OrgId,
    /// Signed amount.
    pub amount: Micros,
    /// What wrote it.
    pub kind: LedgerKind,
    /// What it refers to (the billing session's id for a purchase).
    pub reference: String,
    /// When it was written.
    pub at: DateTime<Utc>,
}

/// What a checkout needs from the payment provider.
#[derive(Debug, Clone)]
pub struct CheckoutRequest {
    /// Tenantry's billing session id.
    pub session_id: Uuid,
    /// The org paying.
    pub org_id: OrgId,
    /// How much.
    pub amount: PurchaseAmount,
}

/// The provider's checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// The provider's id of it.
    pub provider_session_id: String,
    /// Where the payer pays.
    pub url: String,
}

/// A payment event the provider delivered, once its signature checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentEvent {
    /// The provider's event id (deliveries repeat it).
    pub id: String,
    /// What happened.
    pub kind: PaymentEventKind,
}

/// The payment events Tenantry acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentEventKind {
    /// A checkout was paid.
    CheckoutCompleted {
        /// The provider's id of the checkout.
        provider_session_id: String,
        /// Tenantry's billing session id, as given at checkout.
        client_reference: Option<String>,
        /// Whether the money arrived (a delayed payment method completes later).
        paid: bool,
    },
    /// Anything else: acknowledged, not acted on.
    Other(String),
}

/// What a delivered payment event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// The org was credited now.
    Credited,
    /// The event was seen before, or concerned nothing to credit: nothing changed.
    NothingToDo,
}

/// The balance of a ledger: the sum of its lines.
pub fn balance(entries: &[LedgerEntry]) -> Micros {
    entries.iter().map(|entry| entry.amount).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_whole_cents_within_limits() {
        let amount = PurchaseAmount::parse(25.5).expect("valid");
        assert_eq!((amount.cents(), amount.micros()), (2550, 25_500_000));
        assert_eq!(
            PurchaseAmount::parse(0.1 + 0.2 + 0.7)
                .expect("rounding noise")
                .cents(),
            100
        );
        for bad in [0.0, 0.99, -5.0, 100_000.01, 10.001, f64::NAN, f64::INFINITY] {
            assert!(PurchaseAmount::parse(bad).is_err(), "{bad}");
        }
    }
}

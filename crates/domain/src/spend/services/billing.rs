//! Credits: checkouts an owner starts, payment events that credit the org once, and what admins see
//! of it.

use std::sync::Arc;

use serde_json::json;

use crate::{
    AuditAction, AuditEntry, Caller, DomainError, OrgId,
    clock::Clock,
    conversations::conversation::Micros,
    new_id,
    orgs::policy::{Permission, require},
    orgs::role_in_org::role_in,
    ports::{BillingStore, Orgs, PaymentProvider},
    spend::billing::{
        BillingSession, BillingStatus, CheckoutRequest, LedgerEntry, PaymentEventKind, PaymentOutcome,
        PurchaseAmount,
    },
};

/// Most ledger lines and sessions an overview shows.
const OVERVIEW_LIMIT: u64 = 100;

/// The adapters billing needs.
#[derive(Clone)]
pub struct BillingPorts {
    /// Sessions and the ledger.
    pub store: Arc<dyn BillingStore>,
    /// The payment provider.
    pub payments: Arc<dyn PaymentProvider>,
    /// Roles in orgs.
    pub orgs: Arc<dyn Orgs>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

/// An org's credits as its admins see them.
#[derive(Debug, Clone, PartialEq)]
pub struct BillingOverview {
    /// Sum of the ledger.
    pub balance: Micros,
    /// Newest lines first.
    pub ledger: Vec<LedgerEntry>,
    /// Newest sessions first.
    pub sessions: Vec<BillingSession>,
}

/// The billing use cases.
#[derive(Clone)]
pub struct BillingService {
    ports: BillingPorts,
}

impl BillingService {
    /// The use cases over the given adapters.
    pub fn new(ports: BillingPorts) -> Self {
        Self { ports }
    }

    /// Starts buying `units` of credit for `org` (owner): the session is recorded in progress, then
    /// the provider's checkout is opened and its URL returned with it.
    pub async fn checkout(
        &self,
        caller: &Caller,
        org: OrgId,
        units: f64,
    ) -> Result<BillingSession, DomainError> {
        require(
            role_in(self.ports.orgs.as_ref(), caller, org).await?,
            Permission::BuyCredits,
        )?;
        caller.require_person()?;
        let amount = PurchaseAmount::parse(units)?;
        let now = self.ports.clock.now();
        let mut session = BillingSession {
            id: new_id(),
            org_id: org,
            created_by: caller.user.id,
            amount: amount.micros(),
            status: BillingStatus::InProgress,
            provider_session_id: None,
            checkout_url: None,
            created_at: now,
            completed_at: None,
        };
        let audit = AuditEntry::new(
            org,
            now,
            Some(caller.user.id),
            AuditAction::CheckoutStarted,
            ("billing_session", Some(session.id.to_string())),
            json!({ "amount_micros": session.amount }),
        );
        self.ports.store.create_session(&session, &audit).await?;
        let checkout = self
            .ports
            .payments
            .create_checkout(&CheckoutRequest {
                session_id: session.id,
                org_id: org,
                amount,
            })
            .await?;
        self.ports.store.attach_checkout(session.id, &checkout).await?;
        session.provider_session_id = Some(checkout.provider_session_id);
        session.checkout_url = Some(checkout.url);
        Ok(session)
    }

    /// The org's balance, ledger and sessions (admin+).
    pub async fn overview(&self, caller: &Caller, org: OrgId) -> Result<BillingOverview, DomainError> {
        require(
            role_in(self.ports.orgs.as_ref(), caller, org).await?,
            Permission::ReadBilling,
        )?;
        Ok(BillingOverview {
            balance: self.ports.store.balance(org).await?,
            ledger: self.ports.store.ledger(org, OVERVIEW_LIMIT).await?,
            sessions: self.ports.store.sessions(org, OVERVIEW_LIMIT).await?,
        })
    }

    /// Acts on a delivery from the payment provider: only a correctly signed, fresh event counts; a
    /// paid checkout credits its org once, however often it is delivered.
    pub async fn payment_event(
        &self,
        signature_header: Option<&str>,
        payload: &[u8],
    ) -> Result<PaymentOutcome, DomainError> {
        let now = self.ports.clock.now();
        let event = self.ports.payments.verify_event(signature_header, payload, now)?;
        let PaymentEventKind::CheckoutCompleted {
            provider_session_id,
            paid: true,
            ..
        } = event.kind
        else {
            return Ok(PaymentOutcome::NothingToDo);
        };
        let Some(session) = self.ports.store.session_by_checkout(&provider_session_id).await? else {
            return Ok(PaymentOutcome::NothingToDo);
        };
        if session.status != BillingStatus::InProgress {
            return Ok(PaymentOutcome::NothingToDo);
        }
        let audit = AuditEntry::new(
            session.org_id,
            now,
            None,
            AuditAction::CreditsPurchased,
            ("billing_session", Some(session.id.to_string())),
            json!({ "amount_micros": session.amount, "event": event.id }),
        );
        if self
            .ports
            .store
            .complete_payment(&event.id, &session, now, &audit)
            .await?
        {
            Ok(PaymentOutcome::Credited)
        } else {
            Ok(PaymentOutcome::NothingToDo)
        }
    }
}

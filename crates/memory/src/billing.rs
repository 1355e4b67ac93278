//! [`BillingStore`] in memory.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::{
    AuditEntry, DomainError, OrgId,
    billing::{BillingSession, BillingStatus, Checkout, LedgerEntry, LedgerKind},
    new_id,
    ports::BillingStore,
};
use uuid::Uuid;

use crate::MemoryStore;

#[async_trait]
impl BillingStore for MemoryStore {
    async fn create_session(&self, session: &BillingSession, audit: &AuditEntry) -> Result<(), DomainError> {
        self.write(|tables| {
            tables.billing_sessions.insert(session.id, session.clone());
            tables.audit.push(audit.clone());
        })
        .await;
        Ok(())
    }

    async fn attach_checkout(&self, id: Uuid, checkout: &Checkout) -> Result<(), DomainError> {
        self.write(|tables| {
            if let Some(session) = tables.billing_sessions.get_mut(&id) {
                session.provider_session_id = Some(checkout.provider_session_id.clone());
                session.checkout_url = Some(checkout.url.clone());
            }
        })
        .await;
        Ok(())
    }

    async fn session_by_checkout(
        &self,
        provider_session_id: &str,
    ) -> Result<Option<BillingSession>, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .billing_sessions
                    .values()
                    .find(|session| session.provider_session_id.as_deref() == Some(provider_session_id))
                    .cloned()
            })
            .await)
    }

    async fn complete_payment(
        &self,
        event_id: &str,
        session: &BillingSession,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<bool, DomainError> {
        Ok(self
            .write(|tables| {
                if !tables.payment_events.insert(event_id.to_owned()) {
                    return false;
                }
                let Some(stored) = tables
                    .billing_sessions
                    .get_mut(&session.id)
                    .filter(|stored| stored.status == BillingStatus::InProgress)
                else {
                    return false;
                };
                stored.status = BillingStatus::Completed;
                stored.completed_at = Some(at);
                tables.credits.entry(session.org_id).or_default().purchased += session.amount;
                tables.credit_ledger.push(LedgerEntry {
                    id: new_id(),
                    org_id: session.org_id,
                    amount: session.amount,
                    kind: LedgerKind::Purchase,
                    reference: session.id.to_string(),
                    at,
                });
                tables.audit.push(audit.clone());
                true
            })
            .await)
    }

    async fn sessions(&self, org: OrgId, limit: u64) -> Result<Vec<BillingSession>, DomainError> {
        Ok(self
            .read(|tables| {
                let mut sessions: Vec<BillingSession> = tables
                    .billing_sessions
                    .values()
                    .filter(|session| session.org_id == org)
                    .cloned()
                    .collect();
                sessions.sort_by_key(|session| std::cmp::Reverse((session.created_at, session.id)));
                sessions.truncate(limit as usize);
                sessions
            })
            .await)
    }

    async fn balance(&self, org: OrgId) -> Result<i64, DomainError> {
        Ok(self
            .read(|tables| tables.credits.get(&org).map_or(0, |credits| credits.balance()))
            .await)
    }

    async fn ledger(&self, org: OrgId, limit: u64) -> Result<Vec<LedgerEntry>, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .credit_ledger
                    .iter()
                    .rev()
                    .filter(|entry| entry.org_id == org)
                    .take(limit as usize)
                    .cloned()
                    .collect()
            })
            .await)
    }
}

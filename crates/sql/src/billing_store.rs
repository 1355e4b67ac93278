//! [`BillingStore`] on SQL: `billing_sessions`, `credit_ledger` (append-only) with its sums in
//! `credit_balances`, and `payment_events`.
//! A payment is acted on inside one transaction that first claims the event id, then completes the
//! session only if it is still in progress (locked), so a purchase is credited once under
//! concurrent and repeated deliveries.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, OnConflict},
};
use tenantry_domain::{
    AuditEntry, DomainError, OrgId,
    billing::{BillingSession, BillingStatus, Checkout, LedgerEntry, LedgerKind},
    new_id,
    ports::BillingStore,
};
use uuid::Uuid;

use crate::{
    SqlDatabase,
    entities::{billing_sessions, credit_balances, credit_ledger, payment_events},
    errors::{corrupt, db_error},
    org_store::audit,
    spend_rows::add_credits,
    transaction::begin_write,
};

/// Billing in the database.
#[derive(Clone)]
pub struct SqlBillingStore {
    db: SqlDatabase,
}

impl SqlBillingStore {
    /// The store over an open database.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

fn session_from_row(row: billing_sessions::Model) -> Result<BillingSession, DomainError> {
    Ok(BillingSession {
        id: row.id,
        org_id: row.org_id,
        created_by: row.created_by,
        amount: row.amount_micros,
        status: BillingStatus::parse(&row.status).ok_or_else(|| corrupt("billing session"))?,
        provider_session_id: row.provider_session_id,
        checkout_url: row.checkout_url,
        created_at: row.created_at,
        completed_at: row.completed_at,
    })
}

#[async_trait]
impl BillingStore for SqlBillingStore {
    async fn create_session(&self, session: &BillingSession, entry: &AuditEntry) -> Result<(), DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        billing_sessions::Entity::insert(billing_sessions::ActiveModel {
            id: Set(session.id),
            org_id: Set(session.org_id),
            created_by: Set(session.created_by),
            amount_micros: Set(session.amount),
            status: Set(session.status.as_str().to_owned()),
            provider_session_id: Set(session.provider_session_id.clone()),
            checkout_url: Set(session.checkout_url.clone()),
            created_at: Set(session.created_at),
            completed_at: Set(session.completed_at),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_error)?;
        audit::record(&txn, entry.clone()).await?;
        txn.commit().await.map_err(db_error)
    }

    async fn attach_checkout(&self, id: Uuid, checkout: &Checkout) -> Result<(), DomainError> {
        billing_sessions::Entity::update_many()
            .col_expr(
                billing_sessions::Column::ProviderSessionId,
                Expr::value(checkout.provider_session_id.as_str()),
            )
            .col_expr(
                billing_sessions::Column::CheckoutUrl,
                Expr::value(checkout.url.as_str()),
            )
            .filter(billing_sessions::Column::Id.eq(id))
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn session_by_checkout(
        &self,
        provider_session_id: &str,
    ) -> Result<Option<BillingSession>, DomainError> {
        billing_sessions::Entity::find()
            .filter(billing_sessions::Column::ProviderSessionId.eq(provider_session_id))
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
            .map(session_from_row)
            .transpose()
    }

    async fn complete_payment(
        &self,
        event_id: &str,
        session: &BillingSession,
        at: DateTime<Utc>,
        entry: &AuditEntry,
    ) -> Result<bool, DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        let claimed = payment_events::Entity::insert(payment_events::ActiveModel {
            event_id: Set(event_id.to_owned()),
            received_at: Set(at),
        })
        .on_conflict(
            OnConflict::column(payment_events::Column::EventId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(db_error)?;
        if claimed == 0 {
            return Ok(false);
        }
        // The conditional update is the lock: of two events completing one session, one changes it.
        let completed = billing_sessions::Entity::update_many()
            .col_expr(
                billing_sessions::Column::Status,
                Expr::value(BillingStatus::Completed.as_str()),
            )
            .col_expr(billing_sessions::Column::CompletedAt, Expr::value(at))
            .filter(billing_sessions::Column::Id.eq(session.id))
            .filter(billing_sessions::Column::Status.eq(BillingStatus::InProgress.as_str()))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if completed.rows_affected == 0 {
            txn.commit().await.map_err(db_error)?;
            return Ok(false);
        }
        credit_ledger::Entity::insert(credit_ledger::ActiveModel {
            id: Set(new_id()),
            org_id: Set(session.org_id),
            amount_micros: Set(session.amount),
            kind: Set(LedgerKind::Purchase.as_str().to_owned()),
            reference: Set(session.id.to_string()),
            at: Set(at),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_error)?;
        add_credits(&txn, session.org_id, session.amount, 0).await?;
        audit::record(&txn, entry.clone()).await?;
        txn.commit().await.map_err(db_error)?;
        Ok(true)
    }

    async fn sessions(&self, org: OrgId, limit: u64) -> Result<Vec<BillingSession>, DomainError> {
        billing_sessions::Entity::find()
            .filter(billing_sessions::Column::OrgId.eq(org))
            .order_by_desc(billing_sessions::Column::CreatedAt)
            .order_by_desc(billing_sessions::Column::Id)
            .limit(limit)
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(session_from_row)
            .collect()
    }

    async fn balance(&self, org: OrgId) -> Result<i64, DomainError> {
        Ok(credit_balances::Entity::find_by_id(org)
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
            .map_or(0, |row| row.purchased_micros - row.used_micros))
    }

    async fn ledger(&self, org: OrgId, limit: u64) -> Result<Vec<LedgerEntry>, DomainError> {
        credit_ledger::Entity::find()
            .filter(credit_ledger::Column::OrgId.eq(org))
            .order_by_desc(credit_ledger::Column::Id)
            .limit(limit)
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(|row| {
                Ok(LedgerEntry {
                    id: row.id,
                    org_id: row.org_id,
                    amount: row.amount_micros,
                    kind: LedgerKind::parse(&row.kind).map_err(|_| corrupt("ledger kind"))?,
                    reference: row.reference,
                    at: row.at,
                })
            })
            .collect()
    }
}

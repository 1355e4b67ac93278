//! Counting a usage report against budgets, inside the transaction that writes the usage: one
//! `usage_records` row, and the org's and the member's `spend_periods` counters raised by one
//! upsert each. The upsert locks the counter row until commit, so concurrent reports are counted
//! one after the other and each sees exact totals before and after itself.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, Statement};
use tenantry_domain::{
    ConversationId, DomainError, OrgId, UserId,
    billing::LedgerKind,
    budget::{BudgetSource, BudgetTimeZone, CountersAfter, Credits, SpendPeriod, SpendRecorded},
    conversation::Micros,
    new_id,
    spend::usage_charge::{UsageDelta, credit_debit},
    usage_bounds::{MAX_USAGE_TOTAL, checked_total},
};
use uuid::Uuid;

use crate::{
    entities::{credit_ledger, org_budgets, usage_records},
    errors::{corrupt, db_error},
};

/// Who and what a report is about.
pub(crate) struct SpendSubject<'a> {
    pub org: OrgId,
    pub conversation: ConversationId,
    pub member: UserId,
    pub model: Option<&'a str>,
    /// The conversation's cost with the report.
    pub conversation_cost: Micros,
}

/// Counts `delta` for `subject` at `at`; nothing for an empty delta.
pub(crate) async fn record_spend(
    conn: &impl ConnectionTrait,
    subject: SpendSubject<'_>,
    delta: UsageDelta,
    at: DateTime<Utc>,
) -> Result<Option<SpendRecorded>, DomainError> {
    if delta.is_empty() {
        return Ok(None);
    }
    let budget = org_budgets::Entity::find_by_id(subject.org)
        .one(conn)
        .await
        .map_err(db_error)?;
    let (source, zone) = match &budget {
        Some(row) => (
            BudgetSource::parse(&row.source).map_err(|_| corrupt("budget source"))?,
            BudgetTimeZone::parse(&row.time_zone).map_err(|_| corrupt("budget time zone"))?,
        ),
        None => Default::default(),
    };
    let period = SpendPeriod::of(at, zone);
    let key = period.key();
    let record_id = new_id();
    usage_records::Entity::insert(usage_records::ActiveModel {
        id: Set(record_id),
        org_id: Set(subject.org),
        conversation_id: Set(subject.conversation),
        user_id: Set(subject.member),
        model: Set(subject.model.map(str::to_owned)),
        cost_micros: Set(delta.cost),
        prompt_tokens: Set(delta.prompt_tokens),
        completion_tokens: Set(delta.completion_tokens),
        period: Set(key.clone()),
        at: Set(at),
    })
    .exec_without_returning(conn)
    .await
    .map_err(db_error)?;
    let org_after = checked_total(raise(conn, subject.org, &key, Uuid::nil(), delta.cost).await?)?;
    let member_after = checked_total(raise(conn, subject.org, &key, subject.member, delta.cost).await?)?;
    let credits = if let Some(debit) = credit_debit(source, delta) {
        credit_ledger::Entity::insert(credit_ledger::ActiveModel {
            id: Set(new_id()),
            org_id: Set(subject.org),
            amount_micros: Set(-debit),
            kind: Set(LedgerKind::Usage.as_str().to_owned()),
            reference: Set(record_id.to_string()),
            at: Set(at),
        })
        .exec_without_returning(conn)
        .await
        .map_err(db_error)?;
        let credits = add_credits(conn, subject.org, 0, debit).await?;
        checked_total(credits.used)?;
        credits
    } else {
        Credits::default()
    };
    let after = CountersAfter {
        org: org_after,
        member: member_after,
        conversation: subject.conversation_cost,
        credits,
    };
    Ok(Some(SpendRecorded::counted(
        subject.org,
        subject.conversation,
        subject.member,
        at,
        period,
        delta.cost,
        after,
    )))
}

/// Adds `cost` to one counter (creating it), returning its new value. A sum beyond
/// [`MAX_USAGE_TOTAL`] comes back as one past it (the caller refuses it and the transaction rolls
/// back), so the database never overflows a 64-bit sum.
async fn raise(
    conn: &impl ConnectionTrait,
    org: OrgId,
    period: &str,
    user: Uuid,
    cost: Micros,
) -> Result<Micros, DomainError> {
    const RAISE: &str = "INSERT INTO spend_periods (org_id, period, user_id, spent_micros) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (org_id, period, user_id) DO UPDATE SET spent_micros = CASE \
         WHEN spend_periods.spent_micros <= $5 - excluded.spent_micros THEN spend_periods.spent_micros + excluded.spent_micros \
         ELSE $5 + 1 END \
         RETURNING spent_micros";
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            conn.get_database_backend(),
            RAISE,
            [
                org.into(),
                period.into(),
                user.into(),
                cost.into(),
                MAX_USAGE_TOTAL.into(),
            ],
        ))
        .await
        .map_err(db_error)?
        .ok_or_else(|| DomainError::Internal("spend counter not returned".into()))?;
    row.try_get::<i64>("", "spent_micros").map_err(db_error)
}

/// Adds to an org's credit sums (creating them), returning the new sums; the ledger line is the
/// caller's.
pub(crate) async fn add_credits(
    conn: &impl ConnectionTrait,
    org: OrgId,
    purchased: Micros,
    used: Micros,
) -> Result<Credits, DomainError> {
    const ADD: &str = "INSERT INTO credit_balances (org_id, purchased_micros, used_micros) VALUES ($1, $2, $3) \
         ON CONFLICT (org_id) DO UPDATE SET purchased_micros = credit_balances.purchased_micros + excluded.purchased_micros, \
         used_micros = CASE WHEN credit_balances.used_micros <= $4 - excluded.used_micros \
         THEN credit_balances.used_micros + excluded.used_micros ELSE $4 + 1 END \
         RETURNING purchased_micros, used_micros";
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            conn.get_database_backend(),
            ADD,
            [org.into(), purchased.into(), used.into(), MAX_USAGE_TOTAL.into()],
        ))
        .await
        .map_err(db_error)?
        .ok_or_else(|| DomainError::Internal("credit sums not returned".into()))?;
    Ok(Credits {
        purchased: row.try_get::<i64>("", "purchased_micros").map_err(db_error)?,
        used: row.try_get::<i64>("", "used_micros").map_err(db_error)?,
    })
}

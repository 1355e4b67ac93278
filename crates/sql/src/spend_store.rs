//! [`SpendStore`] on SQL: `org_budgets`, `member_budget_caps`, `spend_periods` (the org's total
//! under the nil user) and `usage_records`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Alias, Expr, Func, OnConflict},
};
use tenantry_domain::{
    AuditEntry, ConversationId, DomainError, OrgId, UserId,
    budget::{Budget, BudgetSource, BudgetTimeZone, Credits, SpendPeriod, Spending},
    ports::{SpendStore, UsageLine, UsageSummary},
};
use uuid::Uuid;

use crate::{
    SqlDatabase,
    entities::{
        conversations, credit_balances, member_budget_caps, org_budgets, spend_periods, usage_records,
    },
    errors::{corrupt, db_error},
    org_store::audit,
    transaction::begin_write,
};

/// Budgets and spending in the database.
#[derive(Clone)]
pub struct SqlSpendStore {
    db: SqlDatabase,
}

impl SqlSpendStore {
    /// The store over an open database.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

/// `SUM(column)` as BIGINT (PostgreSQL sums BIGINT as NUMERIC).
pub(crate) fn sum(column: usage_records::Column) -> Expr {
    Expr::from(Func::cast_as(Func::sum(Expr::col(column)), Alias::new("BIGINT")))
}

#[async_trait]
impl SpendStore for SqlSpendStore {
    async fn budget(&self, org: OrgId) -> Result<Budget, DomainError> {
        let Some(row) = org_budgets::Entity::find_by_id(org)
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
        else {
            return Ok(Budget::default());
        };
        let caps = member_budget_caps::Entity::find()
            .filter(member_budget_caps::Column::OrgId.eq(org))
            .all(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(Budget {
            source: BudgetSource::parse(&row.source).map_err(|_| corrupt("budget source"))?,
            time_zone: BudgetTimeZone::parse(&row.time_zone).map_err(|_| corrupt("budget time zone"))?,
            monthly: row.monthly_micros,
            per_task: row.per_task_micros,
            member_caps: caps
                .into_iter()
                .map(|cap| (cap.user_id, cap.monthly_cap_micros))
                .collect(),
        })
    }

    async fn set_budget(&self, org: OrgId, budget: &Budget, entry: &AuditEntry) -> Result<(), DomainError> {
        use org_budgets::Column;
        let (txn, _turn) = begin_write(&self.db).await?;
        org_budgets::Entity::insert(org_budgets::ActiveModel {
            org_id: Set(org),
            monthly_micros: Set(budget.monthly),
            per_task_micros: Set(budget.per_task),
            source: Set(budget.source.as_str().to_owned()),
            time_zone: Set(budget.time_zone.name().to_owned()),
            updated_at: Set(entry.at),
        })
        .on_conflict(
            OnConflict::column(Column::OrgId)
                .update_columns([
                    Column::MonthlyMicros,
                    Column::PerTaskMicros,
                    Column::Source,
                    Column::TimeZone,
                    Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(db_error)?;
        member_budget_caps::Entity::delete_many()
            .filter(member_budget_caps::Column::OrgId.eq(org))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if !budget.member_caps.is_empty() {
            member_budget_caps::Entity::insert_many(budget.member_caps.iter().map(|(user, cap)| {
                member_budget_caps::ActiveModel {
                    org_id: Set(org),
                    user_id: Set(*user),
                    monthly_cap_micros: Set(*cap),
                }
            }))
            .exec_without_returning(&txn)
            .await
            .map_err(db_error)?;
        }
        audit::record(&txn, entry.clone()).await?;
        txn.commit().await.map_err(db_error)
    }

    async fn spending(
        &self,
        org: OrgId,
        period: SpendPeriod,
        member: UserId,
        conversation: Option<ConversationId>,
    ) -> Result<Spending, DomainError> {
        let key = period.key();
        let rows = spend_periods::Entity::find()
            .filter(spend_periods::Column::OrgId.eq(org))
            .filter(spend_periods::Column::Period.eq(key.as_str()))
            .filter(spend_periods::Column::UserId.is_in([Uuid::nil(), member]))
            .all(&self.db.conn)
            .await
            .map_err(db_error)?;
        let spent = |user: Uuid| {
            rows.iter()
                .find(|row| row.user_id == user)
                .map_or(0, |row| row.spent_micros)
        };
        let conversation = match conversation {
            Some(id) => Some(
                conversations::Entity::find_by_id(id)
                    .filter(conversations::Column::OrgId.eq(org))
                    .one(&self.db.conn)
                    .await
                    .map_err(db_error)?
                    .map_or(0, |row| row.accumulated_cost_micros),
            ),
            None => None,
        };
        let credits = credit_balances::Entity::find_by_id(org)
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
            .map_or(Credits::default(), |row| Credits {
                purchased: row.purchased_micros,
                used: row.used_micros,
            });
        Ok(Spending {
            org: spent(Uuid::nil()),
            member: if member.is_nil() { 0 } else { spent(member) },
            conversation,
            credits,
        })
    }

    async fn claim_alert(
        &self,
        org: OrgId,
        period: SpendPeriod,
        at: DateTime<Utc>,
    ) -> Result<bool, DomainError> {
        let claimed = spend_periods::Entity::update_many()
            .col_expr(spend_periods::Column::AlertedAt, Expr::value(at))
            .filter(spend_periods::Column::OrgId.eq(org))
            .filter(spend_periods::Column::Period.eq(period.key()))
            .filter(spend_periods::Column::UserId.eq(Uuid::nil()))
            .filter(spend_periods::Column::AlertedAt.is_null())
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(claimed.rows_affected == 1)
    }

    async fn flag_over_budget(&self, org: OrgId, conversation: ConversationId) -> Result<(), DomainError> {
        conversations::Entity::update_many()
            .col_expr(conversations::Column::OverBudget, Expr::value(true))
            .filter(conversations::Column::Id.eq(conversation))
            .filter(conversations::Column::OrgId.eq(org))
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn usage(&self, org: OrgId, period: SpendPeriod) -> Result<UsageSummary, DomainError> {
        use usage_records::Column;
        let key = period.key();
        let grouped = |column: Column| {
            usage_records::Entity::find()
                .select_only()
                .column(column)
                .expr_as(sum(Column::CostMicros), "cost")
                .expr_as(sum(Column::PromptTokens), "prompt")
                .expr_as(sum(Column::CompletionTokens), "completion")
                .filter(Column::OrgId.eq(org))
                .filter(Column::Period.eq(key.as_str()))
                .group_by(column)
        };
        let by_member: Vec<(Uuid, Option<i64>, Option<i64>, Option<i64>)> = grouped(Column::UserId)
            .into_tuple()
            .all(&self.db.conn)
            .await
            .map_err(db_error)?;
        let by_model: Vec<(Option<String>, Option<i64>, Option<i64>, Option<i64>)> = grouped(Column::Model)
            .into_tuple()
            .all(&self.db.conn)
            .await
            .map_err(db_error)?;
        let by_hour = hourly_cost(&self.db.conn, org, &key).await?;
        let line = |cost: Option<i64>, prompt: Option<i64>, completion: Option<i64>| {
            (cost.unwrap_or(0), prompt.unwrap_or(0), completion.unwrap_or(0))
        };
        let mut summary = UsageSummary {
            by_hour,
            ..UsageSummary::default()
        };
        for (user, cost, prompt, completion) in by_member {
            let (cost, prompt_tokens, completion_tokens) = line(cost, prompt, completion);
            summary.total += cost;
            summary.by_member.push(UsageLine {
                key: user,
                cost,
                prompt_tokens,
                completion_tokens,
            });
        }
        for (model, cost, prompt, completion) in by_model {
            let (cost, prompt_tokens, completion_tokens) = line(cost, prompt, completion);
            summary.by_model.push(UsageLine {
                key: model,
                cost,
                prompt_tokens,
                completion_tokens,
            });
        }
        Ok(summary)
    }
}

/// What the org spent in the period `key` by the UTC hour it was reported in, oldest first.
async fn hourly_cost(
    conn: &impl ConnectionTrait,
    org: OrgId,
    key: &str,
) -> Result<Vec<(DateTime<Utc>, i64)>, DomainError> {
    // The hour as text, `2026-12-03T08` (SQLite stores instants as UTC text, so its first 13
    // characters are the hour with either separator).
    let hour = match conn.get_database_backend() {
        DatabaseBackend::Postgres => "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24')",
        _ => "substr(at, 1, 13)",
    };
    let rows: Vec<(String, Option<i64>)> = usage_records::Entity::find()
        .select_only()
        .expr_as(Expr::cust(hour), "hour")
        .expr_as(sum(usage_records::Column::CostMicros), "cost")
        .filter(usage_records::Column::OrgId.eq(org))
        .filter(usage_records::Column::Period.eq(key))
        .group_by(Expr::cust(hour))
        .order_by_asc(Expr::cust(hour))
        .into_tuple()
        .all(conn)
        .await
        .map_err(db_error)?;
    rows.into_iter()
        .map(|(hour, cost)| {
            let start = format!("{}:00:00Z", hour.replacen(' ', "T", 1));
            let start = start
                .parse::<DateTime<Utc>>()
                .map_err(|_| corrupt("usage hour"))?;
            Ok((start, cost.unwrap_or(0)))
        })
        .collect()
}

//! Reads across the whole install for the operator API: accounts, orgs with member counts, and
//! spending by org.

use async_trait::async_trait;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};
use std::collections::HashMap;
use tenantry_domain::{
    DomainError, OrgId, User,
    budget::{BudgetTimeZone, SpendPeriod},
    ports::{OperatorReads, OrgOverview, OrgSearch, OrgSpend, UserSearch},
};
use uuid::Uuid;

use crate::{
    SqlDatabase,
    entities::{org_budgets, org_members, orgs, spend_periods, usage_records, users},
    errors::{corrupt, db_error},
    identity_store::user_from_row,
    spend_store::sum,
};

/// The operator's reads over the database.
#[derive(Clone)]
pub struct SqlOperatorReads {
    db: SqlDatabase,
}

impl SqlOperatorReads {
    /// The reads over an open database.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

/// `%text%` for `LIKE`, its own `%`, `_` and `\` taken literally, lower-cased.
fn contains(text: &str) -> LikeExpr {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

#[async_trait]
impl OperatorReads for SqlOperatorReads {
    async fn search_users(&self, search: &UserSearch) -> Result<Vec<User>, DomainError> {
        let mut query = users::Entity::find();
        if let Some(text) = search.text.as_deref().filter(|text| !text.is_empty()) {
            query = query.filter(
                Condition::any()
                    .add(Expr::expr(Func::lower(Expr::col(users::Column::Email))).like(contains(text)))
                    .add(Expr::expr(Func::lower(Expr::col(users::Column::Name))).like(contains(text))),
            );
        }
        match search.disabled {
            Some(true) => query = query.filter(users::Column::DisabledAt.is_not_null()),
            Some(false) => query = query.filter(users::Column::DisabledAt.is_null()),
            None => {}
        }
        if let Some(after) = search.after {
            query = query.filter(users::Column::Id.gt(after));
        }
        query
            .order_by_asc(users::Column::Id)
            .limit(search.limit)
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(user_from_row)
            .collect()
    }

    async fn search_orgs(&self, search: &OrgSearch) -> Result<Vec<OrgOverview>, DomainError> {
        let mut query = orgs::Entity::find();
        if let Some(text) = search.text.as_deref().filter(|text| !text.is_empty()) {
            query = query.filter(Expr::expr(Func::lower(Expr::col(orgs::Column::Name))).like(contains(text)));
        }
        if let Some(after) = search.after {
            query = query.filter(orgs::Column::Id.gt(after));
        }
        let rows = query
            .order_by_asc(orgs::Column::Id)
            .limit(search.limit)
            .all(&self.db.conn)
            .await
            .map_err(db_error)?;
        let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
        let counts: HashMap<Uuid, i64> = org_members::Entity::find()
            .select_only()
            .column(org_members::Column::OrgId)
            .column_as(org_members::Column::UserId.count(), "members")
            .filter(org_members::Column::OrgId.is_in(ids.clone()))
            .group_by(org_members::Column::OrgId)
            .into_tuple::<(Uuid, i64)>()
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .collect();
        let zones: HashMap<Uuid, String> = org_budgets::Entity::find()
            .select_only()
            .column(org_budgets::Column::OrgId)
            .column(org_budgets::Column::TimeZone)
            .filter(org_budgets::Column::OrgId.is_in(ids))
            .into_tuple::<(Uuid, String)>()
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .collect();
        rows.into_iter()
            .map(|row| {
                let time_zone = match zones.get(&row.id) {
                    Some(name) => BudgetTimeZone::parse(name).map_err(|_| corrupt("budget time zone"))?,
                    None => BudgetTimeZone::UTC,
                };
                Ok(OrgOverview {
                    id: row.id,
                    name: row.name,
                    personal: row.personal,
                    created_at: row.created_at,
                    members: u64::try_from(counts.get(&row.id).copied().unwrap_or(0)).unwrap_or(0),
                    time_zone,
                })
            })
            .collect()
    }

    async fn org_spend(&self, periods: &[(OrgId, SpendPeriod)]) -> Result<Vec<i64>, DomainError> {
        if periods.is_empty() {
            return Ok(Vec::new());
        }
        let mut wanted = Condition::any();
        for (org, period) in periods {
            wanted = wanted.add(
                Condition::all()
                    .add(spend_periods::Column::OrgId.eq(*org))
                    .add(spend_periods::Column::Period.eq(period.key())),
            );
        }
        // The org's own counter is kept under the nil user.
        let spent: HashMap<(Uuid, String), i64> = spend_periods::Entity::find()
            .select_only()
            .column(spend_periods::Column::OrgId)
            .column(spend_periods::Column::Period)
            .column(spend_periods::Column::SpentMicros)
            .filter(spend_periods::Column::UserId.eq(Uuid::nil()))
            .filter(wanted)
            .into_tuple::<(Uuid, String, i64)>()
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(|(org, period, micros)| ((org, period), micros))
            .collect();
        Ok(periods
            .iter()
            .map(|(org, period)| spent.get(&(*org, period.key())).copied().unwrap_or(0))
            .collect())
    }

    async fn spend_by_org(&self, period: SpendPeriod) -> Result<Vec<OrgSpend>, DomainError> {
        // One grouped join: a deleted org's usage stays recorded, but has no org to list under.
        let rows: Vec<(Uuid, String, Option<i64>)> = usage_records::Entity::find()
            .select_only()
            .column(usage_records::Column::OrgId)
            .column_as(Expr::col((orgs::Entity, orgs::Column::Name)), "name")
            .expr_as(sum(usage_records::Column::CostMicros), "cost")
            .join(
                JoinType::InnerJoin,
                usage_records::Entity::belongs_to(orgs::Entity)
                    .from(usage_records::Column::OrgId)
                    .to(orgs::Column::Id)
                    .into(),
            )
            .filter(usage_records::Column::Period.eq(period.key()))
            .group_by(usage_records::Column::OrgId)
            .group_by(Expr::col((orgs::Entity, orgs::Column::Name)))
            .into_tuple()
            .all(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|(org_id, name, cost)| OrgSpend {
                org_id,
                name,
                cost: cost.unwrap_or(0),
            })
            .collect())
    }
}

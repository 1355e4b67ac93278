//! Reads across the whole install for the operator API, over the tables in memory.

use async_trait::async_trait;
use tenantry_domain::{
    DomainError, OrgId, User,
    budget::SpendPeriod,
    ports::{OperatorReads, OrgOverview, OrgSearch, OrgSpend, UserSearch},
};
use uuid::Uuid;

use crate::MemoryStore;

fn contains(haystack: &str, needle: Option<&str>) -> bool {
    needle.is_none_or(|needle| haystack.to_lowercase().contains(&needle.to_lowercase()))
}

#[async_trait]
impl OperatorReads for MemoryStore {
    async fn search_users(&self, search: &UserSearch) -> Result<Vec<User>, DomainError> {
        let text = search.text.as_deref().filter(|text| !text.is_empty());
        Ok(self
            .read(|tables| {
                tables
                    .users
                    .values()
                    .map(|row| &row.user)
                    .filter(|user| contains(user.email.as_str(), text) || contains(&user.name, text))
                    .filter(|user| {
                        search
                            .disabled
                            .is_none_or(|disabled| user.disabled_at.is_some() == disabled)
                    })
                    .filter(|user| search.after.is_none_or(|after| user.id > after))
                    .take(usize::try_from(search.limit).unwrap_or(usize::MAX))
                    .cloned()
                    .collect()
            })
            .await)
    }

    async fn search_orgs(&self, search: &OrgSearch) -> Result<Vec<OrgOverview>, DomainError> {
        let text = search.text.as_deref().filter(|text| !text.is_empty());
        Ok(self
            .read(|tables| {
                tables
                    .orgs
                    .values()
                    .filter(|org| contains(org.name.as_str(), text))
                    .filter(|org| search.after.is_none_or(|after| org.id > after))
                    .take(usize::try_from(search.limit).unwrap_or(usize::MAX))
                    .map(|org| OrgOverview {
                        id: org.id,
                        name: org.name.as_str().to_owned(),
                        personal: org.personal,
                        created_at: org.created_at,
                        members: tables
                            .members
                            .keys()
                            .filter(|(member_org, _)| *member_org == org.id)
                            .count() as u64,
                        time_zone: tables
                            .budgets
                            .get(&org.id)
                            .map(|budget| budget.time_zone)
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .await)
    }

    async fn org_spend(&self, periods: &[(OrgId, SpendPeriod)]) -> Result<Vec<i64>, DomainError> {
        Ok(self
            .read(|tables| {
                periods
                    .iter()
                    .map(|(org, period)| {
                        tables
                            .spend_periods
                            .get(&(*org, *period, Uuid::nil()))
                            .map_or(0, |counter| counter.0)
                    })
                    .collect()
            })
            .await)
    }

    async fn spend_by_org(&self, period: SpendPeriod) -> Result<Vec<OrgSpend>, DomainError> {
        Ok(self
            .read(|tables| {
                let mut spent: Vec<OrgSpend> = Vec::new();
                for row in tables.usage_rows.iter().filter(|row| row.period == period) {
                    let Some(org) = tables.orgs.get(&row.org) else {
                        continue;
                    };
                    match spent.iter_mut().find(|line| line.org_id == row.org) {
                        Some(line) => line.cost += row.cost,
                        None => spent.push(OrgSpend {
                            org_id: row.org,
                            name: org.name.as_str().to_owned(),
                            cost: row.cost,
                        }),
                    }
                }
                spent
            })
            .await)
    }
}

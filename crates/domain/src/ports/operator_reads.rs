use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    DomainError, OrgId, User, UserId,
    conversations::conversation::Micros,
    spend::spend_period::{BudgetTimeZone, SpendPeriod},
};

/// Which accounts to list, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserSearch {
    /// Only accounts whose email or name contains this (any case).
    pub text: Option<String>,
    /// Only disabled (`true`) or enabled (`false`) accounts.
    pub disabled: Option<bool>,
    /// Only accounts after this one (the keyset cursor).
    pub after: Option<UserId>,
    /// At most this many.
    pub limit: u64,
}

/// Which orgs to list, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgSearch {
    /// Only orgs whose name contains this (any case).
    pub text: Option<String>,
    /// Only orgs after this one (the keyset cursor).
    pub after: Option<OrgId>,
    /// At most this many.
    pub limit: u64,
}

/// An org as operators list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgOverview {
    /// The org.
    pub id: OrgId,
    /// Its name.
    pub name: String,
    /// Whether it is a personal org.
    pub personal: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// How many members it has.
    pub members: u64,
    /// The zone its budget months are counted in.
    pub time_zone: BudgetTimeZone,
}

/// What one org spent in a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSpend {
    /// The org.
    pub org_id: OrgId,
    /// Its name.
    pub name: String,
    /// What it spent.
    pub cost: Micros,
}

/// What operators read across the whole install.
#[async_trait]
pub trait OperatorReads: Send + Sync {
    /// Accounts matching `search`, oldest first.
    async fn search_users(&self, search: &UserSearch) -> Result<Vec<User>, DomainError>;

    /// Orgs matching `search`, oldest first, with their member counts.
    async fn search_orgs(&self, search: &OrgSearch) -> Result<Vec<OrgOverview>, DomainError>;

    /// What each org spent in its period, in the order asked (0 for none).
    async fn org_spend(&self, periods: &[(OrgId, SpendPeriod)]) -> Result<Vec<Micros>, DomainError>;

    /// What every org that spent anything in `period` spent (its usage recorded in that month).
    async fn spend_by_org(&self, period: SpendPeriod) -> Result<Vec<OrgSpend>, DomainError>;
}

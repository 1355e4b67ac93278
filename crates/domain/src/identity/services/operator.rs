//! The operator API's use cases: accounts, orgs and spending across the install, for superadmins.

use std::sync::Arc;

use crate::{
    Caller, DomainError, OrgId, User, UserId,
    clock::Clock,
    conversations::conversation::Micros,
    identity::operator_access::{FreshSignIn, may_disable, require_operator},
    identity::services::admin::{AdminService, Operator},
    ports::{Accounts, OperatorReads, OrgOverview, OrgSearch, OrgSpend, Sessions, UserSearch},
    spend::spend_period::{BudgetTimeZone, SpendPeriod},
};

/// The adapters the operator API needs besides the operator's own use cases.
#[derive(Clone)]
pub struct OperatorPorts {
    /// Reads across the install.
    pub reads: Arc<dyn OperatorReads>,
    /// When the operator's session began.
    pub sessions: Arc<dyn Sessions>,
    /// Accounts by id.
    pub accounts: Arc<dyn Accounts>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

/// An org as operators see it: with its members and what it spent this month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAtAGlance {
    /// The org and its member count.
    pub org: OrgOverview,
    /// Its current budget month.
    pub period: SpendPeriod,
    /// What it spent this month so far.
    pub month_spend: Micros,
}

/// Superadmins' use cases over the API, each checked by [`require_operator`] first.
#[derive(Clone)]
pub struct OperatorService {
    admin: AdminService,
    ports: OperatorPorts,
    fresh: FreshSignIn,
}

impl OperatorService {
    /// The operator API over the operator's use cases, with how fresh an MFA operator's sign-in
    /// must be.
    pub fn new(admin: AdminService, ports: OperatorPorts, fresh: FreshSignIn) -> Self {
        Self { admin, ports, fresh }
    }

    async fn authorize(&self, caller: &Caller) -> Result<UserId, DomainError> {
        let now = self.ports.clock.now();
        let began = match caller.session_id {
            Some(session) if caller.user.mfa_enabled_at.is_some() && caller.api_key.is_none() => self
                .ports
                .sessions
                .live_sessions(caller.user.id, now)
                .await?
                .into_iter()
                .find(|live| live.id == session)
                .map(|live| live.created_at),
            _ => None,
        };
        require_operator(caller, began, self.fresh, now)?;
        Ok(caller.user.id)
    }

    async fn account(&self, id: UserId) -> Result<User, DomainError> {
        self.ports
            .accounts
            .user_by_id(id)
            .await?
            .ok_or(DomainError::NotFound)
    }

    /// Accounts of the install, oldest first.
    pub async fn users(&self, caller: &Caller, search: &UserSearch) -> Result<Vec<User>, DomainError> {
        self.authorize(caller).await?;
        self.ports.reads.search_users(search).await
    }

    /// Orgs of the install, oldest first, with members and this month's spending.
    pub async fn orgs(&self, caller: &Caller, search: &OrgSearch) -> Result<Vec<OrgAtAGlance>, DomainError> {
        self.authorize(caller).await?;
        let now = self.ports.clock.now();
        let orgs = self.ports.reads.search_orgs(search).await?;
        let periods: Vec<(OrgId, SpendPeriod)> = orgs
            .iter()
            .map(|org| (org.id, SpendPeriod::of(now, org.time_zone)))
            .collect();
        let spent = self.ports.reads.org_spend(&periods).await?;
        Ok(orgs
            .into_iter()
            .zip(periods)
            .zip(spent)
            .map(|((org, (_, period)), month_spend)| OrgAtAGlance {
                org,
                period,
                month_spend,
            })
            .collect())
    }

    /// What every org spent in `period` (default: this month in UTC), largest first.
    pub async fn spending(
        &self,
        caller: &Caller,
        period: Option<&str>,
    ) -> Result<(SpendPeriod, Vec<OrgSpend>), DomainError> {
        self.authorize(caller).await?;
        let period = match period {
            Some(period) => SpendPeriod::parse(period)?,
            None => SpendPeriod::of(self.ports.clock.now(), BudgetTimeZone::UTC),
        };
        let mut orgs = self.ports.reads.spend_by_org(period).await?;
        orgs.sort_by(|a, b| b.cost.cmp(&a.cost).then(a.org_id.cmp(&b.org_id)));
        Ok((period, orgs))
    }

    /// Disables an account: its sessions, API keys and sandboxes end at their next request. An
    /// operator cannot disable themself (the install could lose its last way in).
    pub async fn disable(&self, caller: &Caller, id: UserId) -> Result<User, DomainError> {
        let operator = self.authorize(caller).await?;
        may_disable(operator, id)?;
        let user = self.account(id).await?;
        self.admin.disable_account(&user, Operator::Api(operator)).await?;
        self.account(id).await
    }

    /// Enables a disabled account (its old sessions and keys stay revoked).
    pub async fn enable(&self, caller: &Caller, id: UserId) -> Result<User, DomainError> {
        let operator = self.authorize(caller).await?;
        let user = self.account(id).await?;
        self.admin.enable_account(&user, Operator::Api(operator)).await?;
        self.account(id).await
    }

    /// Makes an account superadmin (`true`) or takes it away (`false`; the last one stays).
    pub async fn set_superadmin(
        &self,
        caller: &Caller,
        id: UserId,
        superadmin: bool,
    ) -> Result<User, DomainError> {
        let operator = self.authorize(caller).await?;
        let user = self.account(id).await?;
        self.admin
            .set_superadmin(&user, superadmin, Operator::Api(operator))
            .await?;
        self.account(id).await
    }
}

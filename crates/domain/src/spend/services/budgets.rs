//! Budgets: admins set them, every agent start and continuation is checked against them, usage is
//! reported by member and model, and counted usage raises the 80% alert (once a month) and flags
//! conversations beyond a limit.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::json;

use crate::{
    AuditAction, AuditEntry, Caller, ConversationId, DomainError, OrgId, Role, UserId,
    clock::Clock,
    conversations::conversation::Micros,
    orgs::policy::{Permission, require},
    orgs::role_in_org::role_in,
    ports::{
        AuditLog, ConversationStartPolicy, Mail, Mailer, MemberDirectory, Orgs, SpendObserver, SpendStore,
        UsageSummary,
    },
    spend::budget::{
        Budget, SpendPeriod, SpendRecorded, at_alert_line, check_budget, crosses_alert_line, over_budget,
    },
    spend::daily_spend::daily_spend,
    spend::usage_order::largest_first,
};

/// The adapters budgets need.
#[derive(Clone)]
pub struct BudgetPorts {
    /// Budgets and spending.
    pub store: Arc<dyn SpendStore>,
    /// Roles in orgs.
    pub orgs: Arc<dyn Orgs>,
    /// Who to alert.
    pub directory: Arc<dyn MemberDirectory>,
    /// Alert mail.
    pub mailer: Arc<dyn Mailer>,
    /// Alert audit entries.
    pub audit: Arc<dyn AuditLog>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

/// A budget as admins send it.
#[derive(Debug, Clone, Default)]
pub struct BudgetInput {
    /// Per month, in micro-units; `None`: unlimited.
    pub monthly: Option<Micros>,
    /// Per conversation, in micro-units; `None`: unlimited.
    pub per_task: Option<Micros>,
    /// Members' own monthly caps.
    pub member_caps: Vec<(UserId, Micros)>,
    /// What spending is held against.
    pub source: crate::spend::budget::BudgetSource,
    /// Where months begin and end.
    pub time_zone: crate::spend::budget::BudgetTimeZone,
}

/// An org's usage in a period, as its admins read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageReport {
    /// The month.
    pub period: SpendPeriod,
    /// Totals, by member and by model.
    pub summary: UsageSummary,
    /// Every day of the month (local to the budget's zone) with what it spent.
    pub by_day: Vec<(chrono::NaiveDate, Micros)>,
}

/// The budget use cases.
#[derive(Clone)]
pub struct BudgetService {
    ports: BudgetPorts,
    /// The console's address, for links in alert mail.
    public_url: String,
}

impl BudgetService {
    /// The use cases over the given adapters; alert mail links to the console at `public_url`.
    pub fn new(ports: BudgetPorts, public_url: &str) -> Self {
        Self {
            ports,
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// The org's budget (admin+).
    pub async fn budget(&self, caller: &Caller, org: OrgId) -> Result<Budget, DomainError> {
        require(
            role_in(self.ports.orgs.as_ref(), caller, org).await?,
            Permission::UpdateOrg,
        )?;
        self.ports.store.budget(org).await
    }

    /// Replaces the org's budget (admin+); capped members must be members. Audited.
    pub async fn set_budget(
        &self,
        caller: &Caller,
        org: OrgId,
        input: BudgetInput,
    ) -> Result<Budget, DomainError> {
        require(
            role_in(self.ports.orgs.as_ref(), caller, org).await?,
            Permission::UpdateOrg,
        )?;
        let budget = Budget {
            source: input.source,
            monthly: input.monthly,
            per_task: input.per_task,
            member_caps: input.member_caps,
            time_zone: input.time_zone,
        };
        budget.validate()?;
        for (member, _) in &budget.member_caps {
            if self.ports.orgs.membership(org, *member).await?.is_none() {
                return Err(DomainError::invalid(
                    "member_caps",
                    format!("{member} is not a member"),
                ));
            }
        }
        let audit = AuditEntry::new(
            org,
            self.ports.clock.now(),
            Some(caller.user.id),
            AuditAction::BudgetUpdated,
            ("org", Some(org.to_string())),
            json!({
                "monthly_micros": budget.monthly,
                "per_task_micros": budget.per_task,
                "member_caps": budget.member_caps.len(),
                "budget_source": budget.source.as_str(),
                "time_zone": budget.time_zone.name(),
            }),
        );
        self.ports.store.set_budget(org, &budget, &audit).await?;
        // A budget set at or below what the month has spent is already at its alert line: the
        // alert goes out now (once per month, as when a report crosses it).
        let now = self.ports.clock.now();
        let period = SpendPeriod::of(now, budget.time_zone);
        let spent = self
            .ports
            .store
            .spending(org, period, caller.user.id, None)
            .await?
            .org;
        if at_alert_line(&budget, spent) {
            self.alert(org, period, now, spent, &budget).await?;
        }
        Ok(budget)
    }

    /// The org's usage in `period` (admin+; the current month in the org's time zone when `None`),
    /// by member and by model.
    pub async fn usage(
        &self,
        caller: &Caller,
        org: OrgId,
        period: Option<&str>,
    ) -> Result<UsageReport, DomainError> {
        require(
            role_in(self.ports.orgs.as_ref(), caller, org).await?,
            Permission::ReadBilling,
        )?;
        let zone = self.ports.store.budget(org).await?.time_zone;
        let period = match period {
            Some(period) => SpendPeriod::parse(period)?,
            None => SpendPeriod::of(self.ports.clock.now(), zone),
        };
        let mut summary = self.ports.store.usage(org, period).await?;
        largest_first(&mut summary);
        let by_day = daily_spend(&summary.by_hour, period, zone);
        Ok(UsageReport {
            period,
            summary,
            by_day,
        })
    }

    /// Tells the org's admins, once per period, that its spending reached the alert line: an
    /// audit entry, and a mail naming the org with a link to its usage.
    async fn alert(
        &self,
        org: OrgId,
        period: SpendPeriod,
        at: chrono::DateTime<chrono::Utc>,
        spent: Micros,
        budget: &Budget,
    ) -> Result<(), DomainError> {
        if !self.ports.store.claim_alert(org, period, at).await? {
            return Ok(());
        }
        let limit = budget.monthly.unwrap_or_default();
        self.ports
            .audit
            .record(AuditEntry::new(
                org,
                at,
                None,
                AuditAction::BudgetAlert,
                ("org", Some(org.to_string())),
                json!({
                    "period": period.key(),
                    "budget_micros": limit,
                    "spent_micros": spent,
                }),
            ))
            .await?;
        let units = crate::spend::billing::micros_to_units;
        let admins: Vec<_> = self
            .ports
            .directory
            .members(org)
            .await?
            .into_iter()
            .filter(|member| member.role.is_at_least(Role::Admin))
            .collect();
        let Some(first) = admins.first() else {
            return Ok(());
        };
        let name = match self.ports.orgs.membership(org, first.user_id).await? {
            Some(membership) => membership.org.name.as_str().to_owned(),
            None => return Ok(()),
        };
        for member in admins {
            let mail = Mail {
                to: member.email,
                subject: format!("{name} has used 80% of its budget for {}", period.key()),
                body: format!(
                    "{name} has spent {:.2} of its {:.2} budget this month. At 100% no agent starts or \
                     continues until {}.\n\nUsage and budget: {}/orgs/{org}/usage",
                    units(spent),
                    units(limit),
                    period.resets_at(budget.time_zone).format("%Y-%m-%d %H:%M UTC"),
                    self.public_url,
                ),
            };
            // A mail that cannot go out does not undo the alert: its audit entry stands.
            let _ = self.ports.mailer.send(mail).await;
        }
        Ok(())
    }
}

#[async_trait]
impl ConversationStartPolicy for BudgetService {
    async fn check(
        &self,
        org: OrgId,
        user: UserId,
        conversation: Option<ConversationId>,
    ) -> Result<(), DomainError> {
        let budget = self.ports.store.budget(org).await?;
        if budget.is_unlimited() {
            return Ok(());
        }
        let period = SpendPeriod::of(self.ports.clock.now(), budget.time_zone);
        let spending = self.ports.store.spending(org, period, user, conversation).await?;
        check_budget(&budget, spending, user, period)
    }
}

#[async_trait]
impl SpendObserver for BudgetService {
    async fn spent(&self, recorded: SpendRecorded) {
        // Spending is already counted; what follows only reacts to it, and must not fail the report.
        let Ok(budget) = self.ports.store.budget(recorded.org).await else {
            return;
        };
        if crosses_alert_line(&budget, recorded.totals) {
            let totals = recorded.totals;
            let _ = self
                .alert(
                    recorded.org,
                    recorded.period,
                    recorded.at,
                    totals.org_after,
                    &budget,
                )
                .await;
        }
        if over_budget(&budget, recorded.totals, recorded.member) {
            let _ = self
                .ports
                .store
                .flag_over_budget(recorded.org, recorded.conversation)
                .await;
        }
    }
}

//! Budgets: what an org (and each member) may spend in a calendar month, and what one conversation
//! may cost. Spending is counted exactly in micro-units; crossing 80% of the monthly budget raises
//! one alert per month; at 100% no agent starts or continues, while usage reports are still
//! recorded.

use chrono::{DateTime, Utc};

pub use crate::spend::spend_period::{BudgetTimeZone, SpendPeriod};
use crate::{DomainError, UserId, conversations::conversation::Micros};

/// Share of the monthly budget, in percent, at which owners and admins are alerted.
pub const ALERT_PERCENT: i64 = 80;

/// Most members with a cap of their own in one org.
pub const MAX_MEMBER_CAPS: usize = 1000;

/// What an org's spending is held against.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BudgetSource {
    /// The monthly budget (and the other limits).
    #[default]
    Budget,
    /// Also the credits the org bought: usage debits its ledger, and an empty balance stops agents.
    Credits,
}

impl BudgetSource {
    /// Stable name, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            BudgetSource::Budget => "budget",
            BudgetSource::Credits => "credits",
        }
    }

    /// The source named `name`.
    pub fn parse(name: &str) -> Result<Self, DomainError> {
        match name {
            "budget" => Ok(BudgetSource::Budget),
            "credits" => Ok(BudgetSource::Credits),
            _ => Err(DomainError::invalid("budget_source", "must be budget or credits")),
        }
    }
}

/// An org's credits: what it bought and what usage debited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Credits {
    /// Credited by purchases.
    pub purchased: Micros,
    /// Debited by usage.
    pub used: Micros,
}

impl Credits {
    /// What is left (negative once usage went beyond).
    pub fn balance(self) -> Micros {
        self.purchased - self.used
    }
}

/// An org's limits; `None` is unlimited.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Budget {
    /// What spending is held against.
    pub source: BudgetSource,
    /// What the org may spend per month.
    pub monthly: Option<Micros>,
    /// What one conversation may cost in all.
    pub per_task: Option<Micros>,
    /// What single members may spend per month.
    pub member_caps: Vec<(UserId, Micros)>,
    /// Where months begin and end.
    pub time_zone: BudgetTimeZone,
}

impl Budget {
    /// Validates amounts (not negative) and caps (one per member, at most [`MAX_MEMBER_CAPS`]).
    pub fn validate(&self) -> Result<(), DomainError> {
        let negative = |value: Option<Micros>| value.is_some_and(|value| value < 0);
        if negative(self.monthly) {
            return Err(DomainError::invalid("monthly_budget", "must not be negative"));
        }
        if negative(self.per_task) {
            return Err(DomainError::invalid(
                "max_budget_per_task",
                "must not be negative",
            ));
        }
        if self.member_caps.len() > MAX_MEMBER_CAPS {
            return Err(DomainError::invalid("member_caps", "at most 1000 members"));
        }
        let mut seen = std::collections::HashSet::new();
        for (user, cap) in &self.member_caps {
            if *cap < 0 {
                return Err(DomainError::invalid("member_caps", "caps must not be negative"));
            }
            if !seen.insert(*user) {
                return Err(DomainError::invalid("member_caps", "one cap per member"));
            }
        }
        Ok(())
    }

    /// Whether nothing limits spending (the time zone alone limits nothing).
    pub fn is_unlimited(&self) -> bool {
        self.source == BudgetSource::Budget
            && self.monthly.is_none()
            && self.per_task.is_none()
            && self.member_caps.is_empty()
    }

    /// `user`'s own monthly cap, if any.
    pub fn cap_of(&self, user: UserId) -> Option<Micros> {
        self.member_caps
            .iter()
            .find(|(member, _)| *member == user)
            .map(|(_, cap)| *cap)
    }
}

/// What has been spent, as a check sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Spending {
    /// By the org this period.
    pub org: Micros,
    /// By the member this period.
    pub member: Micros,
    /// By the conversation in all (when continuing one).
    pub conversation: Option<Micros>,
    /// The org's credits.
    pub credits: Credits,
}

/// Totals right after a usage report was counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpendTotals {
    /// The org's spending this period before the report.
    pub org_before: Micros,
    /// The org's spending this period with it.
    pub org_after: Micros,
    /// The member's spending this period with it.
    pub member_after: Micros,
    /// The conversation's cost in all with it.
    pub conversation_after: Micros,
    /// The org's credits with it (debited only when they are the budget's source).
    pub credits: Credits,
}

/// A usage report, counted: whose it was and the totals with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpendRecorded {
    /// The org.
    pub org: crate::OrgId,
    /// The conversation.
    pub conversation: crate::ConversationId,
    /// The member it counts against (the conversation's creator).
    pub member: UserId,
    /// When.
    pub at: DateTime<Utc>,
    /// The period it counted in (the month in the org's time zone).
    pub period: SpendPeriod,
    /// The totals with it.
    pub totals: SpendTotals,
}

/// The counters one counted report left: the org's and the member's this period, the
/// conversation's cost in all, and the org's credits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountersAfter {
    /// The org's spending this period, with the report.
    pub org: Micros,
    /// The member's spending this period, with the report.
    pub member: Micros,
    /// The conversation's cost in all, with the report.
    pub conversation: Micros,
    /// The org's credits, with the report.
    pub credits: Credits,
}

impl SpendRecorded {
    /// The record of `cost` counted for `member`'s `conversation` in `org` at `at`, leaving
    /// `after`: the org's spending before the report is what it left less the cost.
    pub fn counted(
        org: crate::OrgId,
        conversation: crate::ConversationId,
        member: UserId,
        at: DateTime<Utc>,
        period: SpendPeriod,
        cost: Micros,
        after: CountersAfter,
    ) -> Self {
        Self {
            org,
            conversation,
            member,
            at,
            period,
            totals: SpendTotals {
                org_before: after.org - cost,
                org_after: after.org,
                member_after: after.member,
                conversation_after: after.conversation,
                credits: after.credits,
            },
        }
    }
}

/// Refuses starting or continuing an agent once a budget is used up: the org's monthly budget, the
/// member's cap, or the conversation's own limit.
pub fn check_budget(
    budget: &Budget,
    spending: Spending,
    member: UserId,
    period: SpendPeriod,
) -> Result<(), DomainError> {
    let exceeded = |limit: Micros, spent: Micros, resets| DomainError::BudgetExceeded {
        budget: limit,
        spent,
        resets_at: resets,
    };
    let resets_at = period.resets_at(budget.time_zone);
    if let Some(limit) = budget.monthly
        && spending.org >= limit
    {
        return Err(exceeded(limit, spending.org, Some(resets_at)));
    }
    if let Some(limit) = budget.cap_of(member)
        && spending.member >= limit
    {
        return Err(exceeded(limit, spending.member, Some(resets_at)));
    }
    if let (Some(limit), Some(spent)) = (budget.per_task, spending.conversation)
        && spent >= limit
    {
        return Err(exceeded(limit, spent, None));
    }
    if budget.source == BudgetSource::Credits && spending.credits.balance() <= 0 {
        return Err(exceeded(spending.credits.purchased, spending.credits.used, None));
    }
    Ok(())
}

/// Whether the org's spending `spent` is at or above the alert line of its monthly budget.
pub fn at_alert_line(budget: &Budget, spent: Micros) -> bool {
    // spent * 100 >= limit * 80, in integers.
    budget.monthly.is_some_and(|limit| {
        limit > 0 && i128::from(spent) * 100 >= i128::from(limit) * i128::from(ALERT_PERCENT)
    })
}

/// Whether this report took the org's spending across the alert line (from below it to at or
/// above it); only one report of a period can.
pub fn crosses_alert_line(budget: &Budget, totals: SpendTotals) -> bool {
    !at_alert_line(budget, totals.org_before) && at_alert_line(budget, totals.org_after)
}

/// Whether the conversation is now beyond a budget (it is then flagged `over_budget`).
pub fn over_budget(budget: &Budget, totals: SpendTotals, member: UserId) -> bool {
    budget.monthly.is_some_and(|limit| totals.org_after > limit)
        || budget.cap_of(member).is_some_and(|cap| totals.member_after > cap)
        || budget
            .per_task
            .is_some_and(|limit| totals.conversation_after > limit)
        || (budget.source == BudgetSource::Credits && totals.credits.balance() < 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::new_id;

    fn totals(before: Micros, after: Micros) -> SpendTotals {
        SpendTotals {
            org_before: before,
            org_after: after,
            member_after: after,
            conversation_after: after,
            credits: Credits::default(),
        }
    }

    #[test]
    fn the_alert_line_is_crossed_by_exactly_one_report() {
        let budget = Budget {
            monthly: Some(100),
            ..Budget::default()
        };
        assert!(!crosses_alert_line(&budget, totals(0, 79)));
        assert!(crosses_alert_line(&budget, totals(79, 80)));
        assert!(crosses_alert_line(&budget, totals(0, 150)));
        assert!(!crosses_alert_line(&budget, totals(80, 90)));
        assert!(!crosses_alert_line(&Budget::default(), totals(0, 1_000)));
    }

    #[test]
    fn a_used_up_budget_refuses_with_what_was_spent() {
        let member = new_id();
        let period = SpendPeriod::parse("2026-11").expect("valid");
        let budget = Budget {
            monthly: Some(100),
            per_task: Some(10),
            member_caps: vec![(member, 50)],
            ..Budget::default()
        };
        let spending = |org, member_spent, conversation| Spending {
            org,
            member: member_spent,
            conversation,
            credits: Credits::default(),
        };
        assert!(check_budget(&budget, spending(99, 49, Some(9)), member, period).is_ok());
        for (case, expected) in [
            (spending(100, 0, None), (100, 100, true)),
            (spending(10, 50, None), (50, 50, true)),
            (spending(10, 10, Some(10)), (10, 10, false)),
        ] {
            match check_budget(&budget, case, member, period) {
                Err(DomainError::BudgetExceeded {
                    budget,
                    spent,
                    resets_at,
                }) => assert_eq!((budget, spent, resets_at.is_some()), expected),
                other => panic!("{other:?}"),
            }
        }
        assert!(check_budget(&budget, spending(1_000, 1_000, Some(5)), new_id(), period).is_err());
        assert!(
            check_budget(
                &Budget::default(),
                spending(1_000, 1_000, Some(1_000)),
                member,
                period
            )
            .is_ok()
        );
    }

    #[test]
    fn with_credits_an_empty_balance_refuses_and_a_negative_one_is_over_budget() {
        let member = new_id();
        let period = SpendPeriod::parse("2026-11").expect("valid");
        let budget = Budget {
            source: BudgetSource::Credits,
            ..Budget::default()
        };
        let with = |purchased, used| Spending {
            credits: Credits { purchased, used },
            ..Spending::default()
        };
        assert!(check_budget(&budget, with(100, 99), member, period).is_ok());
        assert!(matches!(
            check_budget(&budget, with(100, 100), member, period),
            Err(DomainError::BudgetExceeded {
                budget: 100,
                spent: 100,
                resets_at: None
            })
        ));
        assert!(check_budget(&Budget::default(), with(0, 0), member, period).is_ok());
        let mut totals = totals(0, 1);
        totals.credits = Credits {
            purchased: 5,
            used: 6,
        };
        assert!(over_budget(&budget, totals, member));
        assert_eq!(
            BudgetSource::parse("credits").expect("valid"),
            BudgetSource::Credits
        );
        assert!(BudgetSource::parse("cash").is_err());
    }

    #[test]
    fn a_refusal_names_the_next_local_midnight_of_the_orgs_zone() {
        let member = new_id();
        let period = SpendPeriod::parse("2026-11").expect("valid");
        let budget = Budget {
            monthly: Some(1),
            time_zone: BudgetTimeZone::parse("Asia/Tokyo").expect("zone"),
            ..Budget::default()
        };
        let spent = Spending {
            org: 1,
            ..Spending::default()
        };
        match check_budget(&budget, spent, member, period) {
            Err(DomainError::BudgetExceeded {
                resets_at: Some(resets_at),
                ..
            }) => assert_eq!(resets_at.to_rfc3339(), "2026-11-30T15:00:00+00:00"),
            other => panic!("{other:?}"),
        }
        assert!(!budget.is_unlimited());
        let zone_only = Budget {
            time_zone: budget.time_zone,
            ..Budget::default()
        };
        assert!(zone_only.is_unlimited());
    }

    #[test]
    fn over_budget_means_strictly_beyond_a_limit() {
        let member = new_id();
        let budget = Budget {
            monthly: Some(100),
            ..Budget::default()
        };
        assert!(!over_budget(&budget, totals(90, 100), member));
        assert!(over_budget(&budget, totals(90, 101), member));
    }
}

//! What a usage report changes and charges. A conversation's totals are raised to what its agent
//! server reports and never lowered (reports carry totals so far, and may arrive late or twice);
//! what a report adds is counted against the budgets, and debited from the org's credits when its
//! budget spends credits.

use crate::{
    Conversation, agents::agent_reports::ReportedUsage, conversations::conversation::Micros,
    spend::budget::BudgetSource,
};

/// A conversation's usage totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UsageTotals {
    /// Cost, in micro-units.
    pub cost: Micros,
    /// Prompt tokens.
    pub prompt_tokens: i64,
    /// Completion tokens.
    pub completion_tokens: i64,
}

impl UsageTotals {
    /// The totals a conversation holds.
    pub fn of(conversation: &Conversation) -> Self {
        Self {
            cost: conversation.accumulated_cost,
            prompt_tokens: conversation.prompt_tokens,
            completion_tokens: conversation.completion_tokens,
        }
    }

    /// Prompt and completion tokens together.
    pub fn total_tokens(self) -> i64 {
        self.prompt_tokens + self.completion_tokens
    }

    /// These totals with `delta` added.
    pub fn plus(self, delta: UsageDelta) -> Self {
        Self {
            cost: self.cost + delta.cost,
            prompt_tokens: self.prompt_tokens + delta.prompt_tokens,
            completion_tokens: self.completion_tokens + delta.completion_tokens,
        }
    }
}

/// What one report adds to a conversation's totals: never negative.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UsageDelta {
    /// Cost added, in micro-units.
    pub cost: Micros,
    /// Prompt tokens added.
    pub prompt_tokens: i64,
    /// Completion tokens added.
    pub completion_tokens: i64,
}

impl UsageDelta {
    /// What moving from `before` to `after` added (a client's report adds to the totals).
    pub fn between(before: UsageTotals, after: UsageTotals) -> Self {
        Self {
            cost: after.cost - before.cost,
            prompt_tokens: after.prompt_tokens - before.prompt_tokens,
            completion_tokens: after.completion_tokens - before.completion_tokens,
        }
    }

    /// Whether the report added nothing (then nothing is counted).
    pub fn is_empty(self) -> bool {
        self == Self::default()
    }
}

/// What an agent server's report of `reported` totals adds to `before`: each total is raised to the
/// reported one, never lowered.
pub fn raise_to_reported(before: UsageTotals, reported: ReportedUsage) -> UsageDelta {
    UsageDelta {
        cost: (reported.cost - before.cost).max(0),
        prompt_tokens: (reported.prompt_tokens - before.prompt_tokens).max(0),
        completion_tokens: (reported.completion_tokens - before.completion_tokens).max(0),
    }
}

/// What `delta` debits from the org's credits: its cost when the org's budget spends credits and
/// the cost is positive; nothing otherwise.
pub fn credit_debit(source: BudgetSource, delta: UsageDelta) -> Option<Micros> {
    (source == BudgetSource::Credits && delta.cost > 0).then_some(delta.cost)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totals(cost: Micros, prompt_tokens: i64, completion_tokens: i64) -> UsageTotals {
        UsageTotals {
            cost,
            prompt_tokens,
            completion_tokens,
        }
    }

    fn reported(cost: Micros, prompt_tokens: i64, completion_tokens: i64) -> ReportedUsage {
        ReportedUsage {
            cost,
            prompt_tokens,
            completion_tokens,
        }
    }

    #[test]
    fn a_report_raises_each_total_to_the_reported_one() {
        let delta = raise_to_reported(totals(100, 10, 5), reported(250, 30, 5));
        assert_eq!(
            delta,
            UsageDelta {
                cost: 150,
                prompt_tokens: 20,
                completion_tokens: 0
            }
        );
    }

    #[test]
    fn a_late_report_lowers_nothing() {
        let delta = raise_to_reported(totals(250, 30, 9), reported(100, 10, 12));
        assert_eq!(
            delta,
            UsageDelta {
                cost: 0,
                prompt_tokens: 0,
                completion_tokens: 3
            }
        );
    }

    #[test]
    fn a_repeated_report_adds_nothing() {
        let before = totals(250, 30, 9);
        assert!(raise_to_reported(before, reported(250, 30, 9)).is_empty());
    }

    #[test]
    fn credits_are_debited_only_when_the_budget_spends_them() {
        let delta = UsageDelta {
            cost: 70,
            prompt_tokens: 1,
            completion_tokens: 1,
        };
        assert_eq!(credit_debit(BudgetSource::Credits, delta), Some(70));
        assert_eq!(credit_debit(BudgetSource::default(), delta), None);
    }

    #[test]
    fn tokens_without_cost_debit_no_credits() {
        let delta = UsageDelta {
            cost: 0,
            prompt_tokens: 100,
            completion_tokens: 10,
        };
        assert_eq!(credit_debit(BudgetSource::Credits, delta), None);
    }
}
